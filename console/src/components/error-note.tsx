// A refusal or failure shown with its reason and capability, never a blank page.
// MFA_REQUIRED offers a TOTP step-up and then the retry.
import type { CombinedError } from "@urql/core";
import { CodeInput } from "./code-input";

export interface ErrorFacts {
  message: string;
  code?: string;
  reason?: string;
  capability?: string;
  field?: string;
  issues?: Issue[];
}

/** One problem of a refused document: a message, and where the server saw it when it says. */
export interface Issue {
  message: string;
  path?: string;
  line?: number;
  column?: number;
}

function toIssue(raw: unknown): Issue {
  if (typeof raw === "string") return { message: raw };
  const o = (raw ?? {}) as Record<string, unknown>;
  return {
    message: typeof o.message === "string" ? o.message : JSON.stringify(raw),
    path: typeof o.path === "string" ? o.path : undefined,
    line: typeof o.line === "number" ? o.line : undefined,
    column: typeof o.column === "number" ? o.column : undefined,
  };
}

export function errorFacts(error: CombinedError | Error | string): ErrorFacts {
  if (typeof error === "string") return { message: error };
  const first = "graphQLErrors" in error ? error.graphQLErrors[0] : undefined;
  if (!first) {
    const network = "networkError" in error ? error.networkError : undefined;
    return { message: network ? `The server could not be reached: ${network.message}` : error.message };
  }
  const ext = first.extensions as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    message: first.message,
    code: str(ext.code),
    reason: str(ext.reason),
    capability: str(ext.capability),
    field: str(ext.field),
    issues: Array.isArray(ext.issues) ? ext.issues.map(toIssue) : undefined,
  };
}

export function ErrorNote(props: { error: CombinedError | Error | string | null | undefined; onRetry?: () => void }) {
  if (!props.error) return null;
  const facts = errorFacts(props.error);
  return (
    <div class="error" role="alert">
      <strong>
        {facts.code === "FORBIDDEN" ? "Refused: " : facts.code === "MFA_REQUIRED" ? "Needs MFA: " : "Error: "}
      </strong>
      {facts.message}
      {(facts.reason || facts.capability) && (
        <div class="muted">
          {facts.reason && <span>reason {facts.reason}</span>}
          {facts.capability && <span> · capability {facts.capability}</span>}
        </div>
      )}
      {facts.issues && facts.issues.length > 1 && (
        <ul>
          {facts.issues.map((i, n) => (
            <li key={n}>{i.path ? `${i.path}: ${i.message}` : i.message}</li>
          ))}
        </ul>
      )}
      {facts.code === "MFA_REQUIRED" && <StepUp onDone={props.onRetry} />}
    </div>
  );
}

/** Asks for a TOTP code, marks the session MFA-verified, then retries what was refused. */
export function StepUp(props: { onDone?: () => void }) {
  return <CodeInput label="Authenticator code" submit="Verify and retry" onVerified={props.onDone} />;
}

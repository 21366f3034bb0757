// The command line's only way to the server: GraphQL over HTTP (and the NDJSON
// export, which answers errors in the same shape). Every failure becomes a
// CliError with the exit code scripts rely on and a message that reads like the
// API's: `denied: role:create (NO_MATCHING_RULE) — …`, with the request id when
// the server failed.
import { CliError, EXIT } from "./cli-error";

export interface ServerError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; reason?: string; capability?: string; field?: string; requestId?: string };
}

export class GraphQLClient {
  constructor(
    readonly server: string,
    private readonly secret: string | undefined,
  ) {}

  /** The Authorization header value, or a CliError (exit 3) when there is no credential. */
  authorization(): string {
    if (!this.secret) {
      throw new CliError(`not logged in to ${this.server}: run portcullis login, or set PORTCULLIS_TOKEN`, EXIT.AUTH);
    }
    return `Bearer ${this.secret}`;
  }

  async request<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await this.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", authorization: this.authorization() },
      body: JSON.stringify({ query: document, variables }),
    });
    const requestId = res.headers.get("x-request-id") ?? undefined;
    const text = await res.text();
    let body: { data?: T | null; errors?: ServerError[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw notPortcullis(this.server, res.status, text);
    }
    if (body.errors && body.errors.length > 0) throw errorFrom(body.errors[0], requestId);
    if (body.data === undefined || body.data === null) throw notPortcullis(this.server, res.status, text);
    return body.data;
  }

  /** A GET on the server with the credential, the response checked for the API's error shape. */
  async get(path: string, accept: string): Promise<Response> {
    const res = await this.fetch(path, { method: "GET", headers: { accept, authorization: this.authorization() } });
    if (res.ok) return res;
    const requestId = res.headers.get("x-request-id") ?? undefined;
    const text = await res.text();
    let errors: ServerError[] | undefined;
    try {
      errors = (JSON.parse(text) as { errors?: ServerError[] }).errors;
    } catch {
      // not JSON: handled below
    }
    if (errors && errors.length > 0) throw errorFrom(errors[0], requestId);
    throw notPortcullis(this.server, res.status, text);
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(this.server + path, init);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach ${this.server}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
        EXIT.UNREACHABLE,
      );
    }
  }
}

function notPortcullis(server: string, status: number, text: string): CliError {
  return new CliError(
    `${server} did not answer as a portcullis server (HTTP ${status}: ${text.slice(0, 120).trim() || "empty body"})`,
    EXIT.UNREACHABLE,
  );
}

/** One API error as the command line reports it. */
export function errorFrom(error: ServerError, requestId: string | undefined): CliError {
  const ext = error.extensions ?? {};
  const withId = (text: string) => (requestId ? `${text} (request id ${requestId})` : text);
  switch (ext.code) {
    case "UNAUTHENTICATED":
      return new CliError(
        `not authenticated: ${error.message} — run portcullis login, or check PORTCULLIS_TOKEN`,
        EXIT.AUTH,
      );
    case "FORBIDDEN":
      return new CliError(
        `denied: ${ext.capability ?? error.message} (${ext.reason ?? "FORBIDDEN"}) — ask for a role that grants it: portcullis request ROLE --reason "…"`,
        EXIT.DENIED,
      );
    case "MFA_REQUIRED":
      return new CliError(
        `denied: ${ext.capability ?? error.message} (MFA_REQUIRED) — log in again with multi-factor authentication`,
        EXIT.DENIED,
      );
    case "ESCALATION_DENIED":
      return new CliError(`denied: ${error.message} (ESCALATION_DENIED)`, EXIT.DENIED);
    case "NOT_FOUND":
      return new CliError(`not found: ${error.message}`, EXIT.DENIED);
    case "CONFLICT":
      return new CliError(`conflict: ${error.message}`, EXIT.DENIED);
    case "BAD_USER_INPUT":
      return new CliError(
        `invalid: ${error.message}${ext.field && !error.message.includes(ext.field) ? ` (at ${ext.field})` : ""}`,
        EXIT.USAGE,
      );
    case "GRAPHQL_VALIDATION_FAILED":
      return new CliError(
        withId(`the server does not support this command (${error.message}); is it an older portcullis?`),
        EXIT.DENIED,
      );
    default:
      return new CliError(withId(`server error: ${error.message}`), EXIT.DENIED);
  }
}

// Documents arrive as YAML text and are validated by the engine. Its
// ValidationError becomes BAD_USER_INPUT here: `field` is the first problem's
// path, `issues` lists every problem, and nothing has been written yet.
import { ValidationError } from "../../engine";
import { DomainError } from "../errors";

export function refusedDocument(kind: string, err: ValidationError): DomainError {
  const lines = err.issues.map((i) => `${i.path}: ${i.message}`);
  const heading =
    lines.length === 1 ? `${kind} document refused` : `${kind} document refused (${lines.length} problems)`;
  return new DomainError("BAD_USER_INPUT", `${heading}: ${lines.join("; ")}`, {
    field: err.issues[0]?.path ?? "document",
    issues: err.issues,
  });
}

/** Runs an engine parser; its validation problems become one BAD_USER_INPUT. */
export function readDocument<T>(kind: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ValidationError) throw refusedDocument(kind, err);
    throw err;
  }
}

/** A stored document parsed again, or null when it no longer parses (then every comparison counts it as changed). */
export function reread<T>(parse: () => T): T | null {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ValidationError) return null;
    throw err;
  }
}

/** The audit change record of a versioned document (policy or role): old and new version and text. */
export function documentChange(
  kind: "policy" | "role",
  before: { name: string; version: number; document: string } | null,
  after: { name: string; version: number; document: string } | null,
): Record<string, unknown> {
  return {
    kind,
    name: (after ?? before)!.name,
    oldVersion: before?.version ?? null,
    newVersion: after?.version ?? null,
    oldDocument: before?.document ?? null,
    newDocument: after?.document ?? null,
  };
}

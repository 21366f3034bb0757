import type { ValidationIssue } from "./types";

/** A document was refused. Lists every problem found, each with the path of the offending field. */
export class ValidationError extends Error {
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join("\n"));
    this.name = "ValidationError";
    this.issues = issues;
  }
}

/** Runs a parser so that nothing but ValidationError escapes it, whatever the input. */
export function refuseUnexpected<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new ValidationError([{ path: "document", message: `could not be read: ${detail}` }]);
  }
}

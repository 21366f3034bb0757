// The one error model inside portcullis. The GraphQL edge maps each code to
// `extensions.code` once (docs/errors.md); anything that is not a DomainError is masked.

export type ErrorCode =
  "UNAUTHENTICATED" | "FORBIDDEN" | "BAD_USER_INPUT" | "NOT_FOUND" | "CONFLICT" | "ESCALATION_DENIED" | "MFA_REQUIRED";

export interface ErrorDetails {
  /** Path of the offending input (`input.roles[0]`, `rules[2].capabilities[0]`). */
  field?: string;
  /** Decision reason behind a refusal. */
  reason?: string;
  /** `type:capability` that was missing. */
  capability?: string;
  /** Every problem, when there are several (document validation). */
  issues?: Array<{ path: string; message: string; line?: number; column?: number }>;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export function badInput(field: string, message: string): DomainError {
  return new DomainError("BAD_USER_INPUT", `${field}: ${message}`, { field });
}

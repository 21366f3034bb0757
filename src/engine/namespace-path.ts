// Namespaces are paths ("teams/payments/prod") and grant scopes cover a path and
// everything below it by prefix. A segment "." or ".." would let a string that
// starts with a scope name something outside it ("staging/../prod"), and
// whitespace makes two namespaces look alike, so neither is ever a namespace, a
// scope or part of a namespace glob. One rule, used wherever one is accepted.

/** Longest namespace or scope (the width of the columns that store them). */
export const MAX_NAMESPACE_LENGTH = 255;
const CONTROL = /\p{Cc}/u;
/** Whitespace, and the invisible characters that render as nothing (zero-width, bidi controls, BOM). */
const BLANK = /[\s\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

/** Why the segments of a namespace, scope or namespace glob are unsafe, or null. */
export function segmentProblem(text: string): string | null {
  if (CONTROL.test(text)) return "must not contain control characters";
  if (BLANK.test(text)) return "must not contain whitespace or invisible characters";
  if (text.split("/").some((s) => s === "." || s === "..")) return "must not contain '.' or '..' segments";
  return null;
}

/**
 * Why `path` is not a namespace path, or null. The empty path is the root (a
 * resource in no namespace; a scope covering everything). No globs.
 */
export function namespaceProblem(path: string): string | null {
  if (path === "") return null;
  if (path.length > MAX_NAMESPACE_LENGTH) return `must be at most ${MAX_NAMESPACE_LENGTH} characters`;
  if (/[*?]/.test(path)) return "is a namespace path, not a glob: '*' and '?' are not allowed";
  if (path.startsWith("/") || path.endsWith("/")) return "must not start or end with '/'";
  if (path.includes("//")) return "must not contain empty segments ('//')";
  return segmentProblem(path);
}

// Recognises constraint violations from either database, so callers can turn them
// into CONFLICT instead of an internal error.

function codeOf(err: unknown): string {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null | undefined;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === "string" || typeof code === "number" ? String(code) : "";
}

export function isUniqueViolation(err: unknown): boolean {
  const code = codeOf(err);
  return code === "ER_DUP_ENTRY" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

export function isForeignKeyViolation(err: unknown): boolean {
  const code = codeOf(err);
  return (
    code === "ER_ROW_IS_REFERENCED_2" ||
    code === "ER_ROW_IS_REFERENCED" ||
    code === "ER_NO_REFERENCED_ROW_2" ||
    code === "SQLITE_CONSTRAINT_FOREIGNKEY"
  );
}

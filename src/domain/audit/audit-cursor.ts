// Page cursors for `auditEvents`: opaque to callers, but nothing more than the
// last sequence returned. Paging by sequence (not offset) means events written
// while a caller pages through never shift a page: each event appears once.
import { badInput } from "../errors";

const FORMAT = /^seq:([1-9][0-9]{0,15})$/;

export function encodeAuditCursor(sequence: number): string {
  return Buffer.from(`seq:${sequence}`, "utf8").toString("base64url");
}

/** The sequence a cursor stands for; BAD_USER_INPUT at `field` when it is not one of ours. */
export function decodeAuditCursor(cursor: string, field: string): number {
  const match = /^[A-Za-z0-9_-]+$/.test(cursor) ? FORMAT.exec(Buffer.from(cursor, "base64url").toString("utf8")) : null;
  const sequence = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(sequence)) throw badInput(field, "not a cursor returned by auditEvents");
  return sequence;
}

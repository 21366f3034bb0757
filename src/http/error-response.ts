// The one error body of every non-GraphQL route (/auth/*, /audit/export, 404s,
// body-parser and unhandled errors, rate limits), in the GraphQL API's own
// shape so that a client reads one format: `{ errors: [{ message, extensions:
// { code, requestId, ... } }] }`. SCIM answers in SCIM's format instead
// (scim/scim-error.ts), as SCIM clients expect.
import type { Response } from "express";

/** Sends `status` with the error body; `extra` adds extensions (field, reason…). */
export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  const requestId = res.locals.requestId as string | undefined;
  res.status(status).json({
    errors: [{ message, extensions: { code, ...extra, ...(requestId === undefined ? {} : { requestId }) } }],
  });
}

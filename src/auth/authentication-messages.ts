// What a caller refused by the authentication layer is told, on every path
// (GraphQL, /audit/export, SCIM, the WebSocket): one wording, so clients and
// documentation can rely on it. The audit event carries the precise reason.
import type { AuthFailure } from "./bearer-authenticator";

export function unauthenticatedMessage(failure: AuthFailure | null): string {
  return failure === "missing" || failure === null
    ? "authentication required: send Authorization: Bearer <token>"
    : "invalid, expired or revoked credential";
}

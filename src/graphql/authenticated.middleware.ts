import type { MiddlewareFn } from "type-graphql";
import { DomainError } from "../domain/errors";
import type { RequestContext } from "./context";

const ROOT_TYPES = new Set(["Query", "Mutation", "Subscription"]);

/** Every root field needs an authenticated principal. */
export const requireAuthentication: MiddlewareFn<RequestContext> = async ({ context, info }, next) => {
  if (ROOT_TYPES.has(info.parentType.name) && context.principal === null) {
    throw new DomainError("UNAUTHENTICATED", context.authFailure === "missing" || context.authFailure === null
      ? "authentication required: send Authorization: Bearer <token>"
      : "invalid, expired or revoked credential");
  }
  return next();
};

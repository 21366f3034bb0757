import type { MiddlewareFn } from "type-graphql";
import type { RequestContext } from "./context";
import { createLoaders } from "./loaders";

/**
 * The request's loaders cache what they read. After a mutation, start them
 * afresh, so the mutation's result (and any mutation after it in the same
 * request) reads the state the write left behind.
 */
export const freshAfterWrite: MiddlewareFn<RequestContext> = async ({ context, info }, next) => {
  const result = await next();
  if (info.parentType.name === "Mutation") context.loaders = createLoaders(context.services.storage);
  return result;
};

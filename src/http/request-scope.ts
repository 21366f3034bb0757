import { AsyncLocalStorage } from "node:async_hooks";

/** The request id of the HTTP request being served, wherever in its async chain we are. */
export const requestScope = new AsyncLocalStorage<{ requestId: string }>();

export function currentRequestId(): string {
  return requestScope.getStore()?.requestId ?? "unknown";
}

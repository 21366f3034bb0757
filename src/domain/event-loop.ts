// Long synchronous steps of one request (reading a large document, then an
// escalation check over it) are separated by a turn of the event loop, so
// other requests (and /healthz) are served between them, never after all of them.

/** Resolves after the event loop has served what was waiting (I/O included). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

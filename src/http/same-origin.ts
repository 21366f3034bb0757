// Whether a request comes from this server's own pages. Browsers send Origin
// on every cross-origin POST and on every WebSocket upgrade, so a request
// whose Origin names another host was started by another site (login CSRF,
// cross-site WebSocket hijacking). A request without Origin comes from a
// client that is not a browser page (the CLI, curl), which another site cannot
// drive.
import type { IncomingMessage } from "node:http";

export function fromOwnOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

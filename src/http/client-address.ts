import type { IncomingMessage } from "node:http";
import { addressInAny, parseAddress } from "../auth/ip-match";

/**
 * The caller's address: the connection's, unless the connection comes from a
 * trusted proxy, in which case the right-most X-Forwarded-For entry that is not
 * itself a trusted proxy.
 */
export function clientAddress(req: IncomingMessage, trustedProxies: readonly string[]): string | null {
  const peer = normalise(req.socket.remoteAddress ?? null);
  if (peer === null || trustedProxies.length === 0 || !addressInAny(peer, trustedProxies)) return peer;
  const header = req.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : header ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalise(hops[i]!);
    if (hop === null) return peer;
    if (!addressInAny(hop, trustedProxies)) return hop;
  }
  return peer;
}

function normalise(text: string | null): string | null {
  if (text === null) return null;
  const addr = parseAddress(text);
  return addr ? addr.toString() : null;
}

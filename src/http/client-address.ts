import type { IncomingMessage } from "node:http";
import { canonicalAddress } from "../auth/ip-match";
import { CidrSet, parseIp } from "../engine";

export type ClientAddress = (req: IncomingMessage) => string | null;

/**
 * The caller's address: the connection's, unless the connection comes from a
 * trusted proxy, in which case the right-most X-Forwarded-For entry that is not
 * itself a trusted proxy. The proxy list is compiled once, not per request.
 */
export function clientAddressResolver(trustedProxies: readonly string[]): ClientAddress {
  const proxies = CidrSet.compile(trustedProxies);
  const isProxy = (address: string) => proxies.containsAddress(parseIp(address));
  return (req) => {
    const peer = normalise(req.socket.remoteAddress ?? null);
    if (peer === null || trustedProxies.length === 0 || !isProxy(peer)) return peer;
    const header = req.headers["x-forwarded-for"];
    const hops = (Array.isArray(header) ? header.join(",") : (header ?? ""))
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = normalise(hops[i]);
      if (hop === null) return peer;
      if (!isProxy(hop)) return hop;
    }
    return peer;
  };
}

function normalise(text: string | null): string | null {
  return text === null ? null : canonicalAddress(text);
}

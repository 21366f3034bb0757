import ipaddr from "ipaddr.js";
import { CidrSet, parseIp } from "../engine";

/** Parses an address; IPv4-mapped IPv6 (::ffff:10.0.0.1) becomes IPv4. null when not an address. */
export function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(text)) return null;
  const addr = ipaddr.parse(text);
  return addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

/**
 * Whether `ip` lies in any of `cidrs` (a bare address counts as a /32 or /128).
 * The engine's matcher, so a token's bound networks mean the same at
 * authentication as in `can` about the token.
 */
export function addressInAny(ip: string | null, cidrs: readonly string[]): boolean {
  return CidrSet.compile(cidrs).containsAddress(ip === null ? null : parseIp(ip));
}

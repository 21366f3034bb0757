import { CidrSet, formatIp, parseIp } from "../engine";

/**
 * The canonical text of an address (IPv4-mapped IPv6 such as ::ffff:10.0.0.1
 * becomes IPv4), or null when `text` is not one. The engine's parser, so an
 * address means the same here as in every network list it is matched against.
 */
export function canonicalAddress(text: string): string | null {
  const address = parseIp(text);
  return address === null ? null : formatIp(address);
}

/**
 * Whether `ip` lies in any of `cidrs` (a bare address counts as a /32 or /128).
 * The engine's matcher, so a token's bound networks mean the same at
 * authentication as in `can` about the token.
 */
export function addressInAny(ip: string | null, cidrs: readonly string[]): boolean {
  return CidrSet.compile(cidrs).containsAddress(ip === null ? null : parseIp(ip));
}

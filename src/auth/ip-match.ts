import ipaddr from "ipaddr.js";

/** Parses an address; IPv4-mapped IPv6 (::ffff:10.0.0.1) becomes IPv4. null when not an address. */
export function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(text)) return null;
  const addr = ipaddr.parse(text);
  return addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

/** Whether `ip` lies in any of `cidrs` (a bare address counts as a /32 or /128). */
export function addressInAny(ip: string | null, cidrs: readonly string[]): boolean {
  const addr = ip === null ? null : parseAddress(ip);
  if (!addr) return false;
  return cidrs.some((cidr) => {
    try {
      const [range, bits] = cidr.includes("/") ? ipaddr.parseCIDR(cidr) : [ipaddr.parse(cidr), ipaddr.parse(cidr).kind() === "ipv4" ? 32 : 128];
      const base = range.kind() === "ipv6" && (range as ipaddr.IPv6).isIPv4MappedAddress() ? (range as ipaddr.IPv6).toIPv4Address() : range;
      return base.kind() === addr.kind() && addr.match(base, base.kind() === range.kind() ? bits : bits - 96);
    } catch {
      return false;
    }
  });
}

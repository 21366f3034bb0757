// Address and CIDR matching for the reference evaluator, written from docs/documents.md:
// IPv4 and IPv6, and an IPv4-mapped IPv6 address (::ffff:a.b.c.d) counts as IPv4.
// Addresses become BigInts; a CIDR matches when the top `bits` bits are equal.

interface Address {
  family: 4 | 6;
  value: bigint;
}

function parseIpv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256n + BigInt(part);
  }
  return value;
}

function parseGroups(text: string): bigint[] | null {
  if (text === "") return [];
  const groups: bigint[] = [];
  const parts = text.split(":");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (v4 === null) return null;
      groups.push(v4 >> 16n, v4 & 0xffffn);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
      groups.push(BigInt("0x" + part));
    } else {
      return null;
    }
  }
  return groups;
}

function parseIpv6(text: string): bigint | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0]);
  const tail = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<bigint>(halves.length === 2 ? missing : 0).fill(0n), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses an address, turning IPv4-mapped IPv6 into IPv4; null when it is not an address. */
export function referenceParseAddress(text: string): Address | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 & 0xffffffffn };
  return { family: 6, value: v6 };
}

/** Whether `ip` is inside `cidr` (`a.b.c.d/n`, `x::y/n`, or a bare address). */
export function referenceInCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const addr = referenceParseAddress(ip);
  const net = referenceParseAddress(base);
  if (addr === null || net === null || addr.family !== net.family) return false;
  const width = net.family === 4 ? 32 : 128;
  const bits = bitsText === undefined ? width : Number(bitsText);
  const shift = BigInt(width - bits);
  return addr.value >> shift === net.value >> shift;
}

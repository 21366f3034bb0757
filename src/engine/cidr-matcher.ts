// IPv4/IPv6 networks for `when.sourceCidrs`. IPv4-mapped IPv6 addresses
// (::ffff:10.1.2.3) and networks inside ::ffff:0:0/96 are treated as IPv4, so a
// client reaching a dual-stack listener matches the IPv4 rule written for it. An
// IPv4 address lies only in IPv4 networks, an IPv6 address only in IPv6 ones.

import ipaddr from "ipaddr.js";

/** An address: IPv4 as one 32-bit word, IPv6 as four. */
export interface IpAddress {
  v6: boolean;
  words: number[];
}

export interface CidrBlock extends IpAddress {
  prefix: number;
}

const DECIMAL_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;

function parseV4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!DECIMAL_OCTET.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value >>> 0;
}

function parseV6Words(text: string): number[] | null {
  if (!text.includes(":") || text.includes("%") || !ipaddr.IPv6.isValid(text)) return null;
  const bytes = ipaddr.IPv6.parse(text).toByteArray();
  const words: number[] = [];
  for (let w = 0; w < 4; w++) {
    words.push(((bytes[w * 4] << 24) | (bytes[w * 4 + 1] << 16) | (bytes[w * 4 + 2] << 8) | bytes[w * 4 + 3]) >>> 0);
  }
  return words;
}

const isMapped = (words: number[]) => words[0] === 0 && words[1] === 0 && words[2] === 0xffff;

/** Parses an address in strict notation; a zone index (`%eth0`) is ignored. Null when not an address. */
export function parseIp(text: string): IpAddress | null {
  if (typeof text !== "string" || text.length > 64) return null;
  const v4 = parseV4(text);
  if (v4 !== null) return { v6: false, words: [v4] };
  const zone = text.indexOf("%");
  const words = parseV6Words(zone >= 0 ? text.slice(0, zone) : text);
  if (words === null) return null;
  return isMapped(words) ? { v6: false, words: [words[3]] } : { v6: true, words };
}

/** The canonical text of an address: dotted IPv4 (mapped IPv6 included), RFC 5952 IPv6. */
export function formatIp(address: IpAddress): string {
  if (!address.v6) return [24, 16, 8, 0].map((shift) => (address.words[0] >>> shift) & 255).join(".");
  const bytes = address.words.flatMap((w) => [24, 16, 8, 0].map((shift) => (w >>> shift) & 255));
  return ipaddr.fromByteArray(bytes).toString();
}

/** Parses `address/prefix` (a bare address is a single host). Null when invalid. */
export function parseCidr(text: string): CidrBlock | null {
  if (typeof text !== "string" || text.length > 64) return null;
  const slash = text.indexOf("/");
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? null : text.slice(slash + 1);
  if (prefixText !== null && !/^(?:0|[1-9][0-9]{0,2})$/.test(prefixText)) return null;
  const v4 = parseV4(addressText);
  if (v4 !== null) {
    const prefix = prefixText === null ? 32 : Number(prefixText);
    return prefix > 32 ? null : { v6: false, words: [v4], prefix };
  }
  const words = parseV6Words(addressText);
  if (words === null) return null;
  const prefix = prefixText === null ? 128 : Number(prefixText);
  if (prefix > 128) return null;
  if (prefix >= 96 && isMapped(words)) return { v6: false, words: [words[3]], prefix: prefix - 96 };
  return { v6: true, words, prefix };
}

/** Why `text` is not a valid network, or null. */
export function cidrProblem(text: string): string | null {
  return parseCidr(text) === null
    ? `invalid network '${text}' (expected CIDR notation such as 10.0.0.0/8 or 2001:db8::/32)`
    : null;
}

/** Whether the first `prefix` bits of a and b agree. */
function samePrefix(a: readonly number[], b: readonly number[], prefix: number): boolean {
  let bits = prefix;
  for (let w = 0; bits > 0; w++, bits -= 32) {
    const diff = (a[w] ^ b[w]) >>> 0;
    if (bits >= 32) {
      if (diff !== 0) return false;
    } else if (diff >>> (32 - bits) !== 0) {
      return false;
    }
  }
  return true;
}

/** Whether `address` lies inside `block`. */
export function blockContainsAddress(block: CidrBlock, address: IpAddress): boolean {
  return block.v6 === address.v6 && samePrefix(block.words, address.words, block.prefix);
}

/** Whether every address of `inner` lies inside `outer`. */
export function cidrContains(outer: CidrBlock, inner: CidrBlock): boolean {
  return outer.v6 === inner.v6 && outer.prefix <= inner.prefix && samePrefix(outer.words, inner.words, outer.prefix);
}

/** A compiled list of networks; invalid entries never match. */
export class CidrSet {
  private constructor(readonly blocks: readonly CidrBlock[]) {}

  static compile(list: readonly string[]): CidrSet {
    const blocks: CidrBlock[] = [];
    for (const text of list) {
      const block = parseCidr(text);
      if (block) blocks.push(block);
    }
    return new CidrSet(blocks);
  }

  /** Whether the address is in any network; a null (unknown) address never is. */
  containsAddress(address: IpAddress | null): boolean {
    if (address === null) return false;
    for (const block of this.blocks) if (blockContainsAddress(block, address)) return true;
    return false;
  }
}

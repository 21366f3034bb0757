// Lookup of a policy's rule groups by literal namespace and name. The
// resource's namespace and name are hashed once per check; each policy keeps an
// open-addressing table of those hashes in one Int32Array, plus two 64-bit
// filters (namespaces, names) that let most policies be passed over without
// touching their table at all. A check's cost is mostly the memory it touches,
// so both matter more than the arithmetic.

/** FNV-1a over UTF-16 code units. */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** Hash standing for "no literal here" (a glob). */
export const ANY_HASH = 0x2545f491;

/** A 64-bit filter as two 32-bit halves: may answer "present" wrongly, never "absent" wrongly. */
export class HashFilter {
  lo = 0;
  hi = 0;

  add(hash: number): void {
    const bit = hash >>> 26;
    if (bit < 32) this.lo |= 1 << bit;
    else this.hi |= 1 << (bit - 32);
  }
}

/** Whether `hash` may be in the filter with halves lo/hi. */
export function mayContain(lo: number, hi: number, hash: number): boolean {
  const bit = hash >>> 26;
  return ((bit < 32 ? lo >>> bit : hi >>> (bit - 32)) & 1) !== 0;
}

/**
 * Maps (namespace hash, name hash) pairs to two integers (a position and a
 * count, as the owner defines them). Distinct keys may share hashes: `find`
 * returns candidate slots in turn and the owner checks the actual strings.
 */
export class HashTable {
  /** Per slot: namespace hash, name hash, value + 1 (0 = empty), second value. */
  readonly slots: Int32Array;
  readonly mask: number;

  constructor(capacity: number) {
    let size = 4;
    while (size < capacity * 2) size *= 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size * 4);
  }

  set(a: number, b: number, value: number, second: number): void {
    let slot = slotOf(a, b, this.mask);
    while (this.slots[slot * 4 + 2] !== 0) slot = (slot + 1) & this.mask;
    this.slots[slot * 4] = a;
    this.slots[slot * 4 + 1] = b;
    this.slots[slot * 4 + 2] = value + 1;
    this.slots[slot * 4 + 3] = second;
  }

  /** The first slot at or after `from` (a probe position) holding hashes (a, b), or -1; start with start(a, b). */
  find(a: number, b: number, from: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let slot = from; ; slot = (slot + 1) & mask) {
      if (slots[slot * 4 + 2] === 0) return -1;
      if (slots[slot * 4] === a && slots[slot * 4 + 1] === b) return slot;
    }
  }

  start(a: number, b: number): number {
    return slotOf(a, b, this.mask);
  }
}

function slotOf(a: number, b: number, mask: number): number {
  const h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca77);
  return (h ^ (h >>> 15)) & mask;
}

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

/** Int32s per HashTable slot. */
export const SLOT = 6;

/**
 * Maps (namespace hash, name hash) pairs to two integers (a position and a
 * count, as the owner defines them) and a 64-bit filter (two more integers,
 * filled by the owner with setFilter). Distinct keys may share hashes:
 * findSlot returns candidate slots in turn and the owner checks the actual strings.
 */
export class HashTable {
  /** Per slot (SLOT int32s): namespace hash, name hash, value + 1 (0 = empty), second value, filter lo, filter hi. */
  readonly slots: Int32Array;
  readonly mask: number;

  constructor(capacity: number) {
    let size = 4;
    while (size < capacity * 2) size *= 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size * SLOT);
  }

  /** Stores a key and its two values; the slot it took. */
  set(a: number, b: number, value: number, second: number): number {
    let slot = slotOf(a, b, this.mask);
    while (this.slots[slot * SLOT + 2] !== 0) slot = (slot + 1) & this.mask;
    this.slots[slot * SLOT] = a;
    this.slots[slot * SLOT + 1] = b;
    this.slots[slot * SLOT + 2] = value + 1;
    this.slots[slot * SLOT + 3] = second;
    return slot;
  }

  setFilter(slot: number, lo: number, hi: number): void {
    this.slots[slot * SLOT + 4] = lo;
    this.slots[slot * SLOT + 5] = hi;
  }
}

/**
 * The first slot at or after `from` (a probe position, start at slotOf(a, b,
 * mask)) of a table's slots holding hashes (a, b), or -1. Takes the slots and
 * mask rather than the table: callers keep those beside their other hot fields.
 */
export function findSlot(slots: Int32Array, mask: number, a: number, b: number, from: number): number {
  for (let slot = from; ; slot = (slot + 1) & mask) {
    if (slots[slot * SLOT + 2] === 0) return -1;
    if (slots[slot * SLOT] === a && slots[slot * SLOT + 1] === b) return slot;
  }
}

/** The probe position to start findSlot() at for hashes (a, b). */
export function slotOf(a: number, b: number, mask: number): number {
  const h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca77);
  return (h ^ (h >>> 15)) & mask;
}

// A small deterministic PRNG (xorshift32 seeded through splitmix32) so every run
// of a benchmark sees the same workload. Never Math.random.

export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    // splitmix32 step: spreads small or similar seeds over the whole state space.
    let z = (seed + 0x9e3779b9) | 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    this.state = z === 0 ? 0x6d2b79f5 : z;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x;
    return (x >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** `count` distinct integers in [0, n) (count ≤ n). */
  distinctInts(n: number, count: number): number[] {
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(this.int(n));
    return [...chosen];
  }

  /** `count` distinct items (count ≤ items.length). */
  sample<T>(items: readonly T[], count: number): T[] {
    return this.distinctInts(items.length, count).map((i) => items[i]);
  }
}

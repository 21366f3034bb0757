// Remembers values that have been used until they would have expired anyway, so
// a second use on this instance is refused. Across instances the IdP's own
// single use of codes and device codes is what refuses a replay.

export class UsedOnce {
  private readonly used = new Map<string, number>();

  /** True the first time `key` is claimed before `expiresAt`; false after. */
  claim(key: string, expiresAt: Date, now: Date = new Date()): boolean {
    this.sweep(now.getTime());
    if (this.used.has(key)) return false;
    this.used.set(key, expiresAt.getTime());
    return true;
  }

  private sweep(now: number): void {
    for (const [key, expires] of this.used) if (expires <= now) this.used.delete(key);
  }
}

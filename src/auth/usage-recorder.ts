// When a credential was last used (docs/concepts.md): lastUsedAt / lastUsedIp of
// tokens, lastSeenAt of sessions. At most one write a minute per credential. The
// write is never awaited by the request it describes and its failure never fails
// that request: knowing when a credential was last used is worth less than
// serving the call.
import type { TokenRepository } from "../domain/ports/storage.port";

export const USE_RECORD_INTERVAL_MS = 60_000;

/** Remembered writes beyond this many are pruned (entries older than the interval go first). */
const MAX_REMEMBERED = 10_000;

/** Where uses are written: the token repository, or the session repository's equivalent. */
export type UseStore = Pick<TokenRepository, "recordUse">;

export interface UsageOptions {
  /** The clock; the system clock by default. */
  now?: () => Date;
  /** Told about a write that failed; the error is otherwise swallowed. */
  onError?: (error: unknown, id: string) => void;
}

export class UsageRecorder {
  /** Credential id → when this instance last wrote (or tried to write) a use, in ms. */
  private readonly written = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly now: () => Date;

  constructor(
    private readonly store: UseStore,
    private readonly options: UsageOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Notes that `credential` (as read from storage while authenticating, with the use
   * stored last) was just used from `ip`. Returns at once; the write, if one is due,
   * runs in the background.
   */
  used(credential: { id: string; lastUsedAt: Date | null }, ip: string | null): void {
    const at = this.now();
    const nowMs = at.getTime();
    if (credential.lastUsedAt !== null && nowMs - credential.lastUsedAt.getTime() < USE_RECORD_INTERVAL_MS) return;
    const last = this.written.get(credential.id);
    if (last !== undefined && nowMs - last < USE_RECORD_INTERVAL_MS) return;
    this.remember(credential.id, nowMs);
    const write = this.store
      .recordUse(credential.id, at, ip, new Date(nowMs - USE_RECORD_INTERVAL_MS))
      .then(
        () => undefined,
        (error: unknown) => {
          // Let the next use try again rather than lose a minute of history.
          if (this.written.get(credential.id) === nowMs) this.written.delete(credential.id);
          try {
            this.options.onError?.(error, credential.id);
          } catch {
            // a failing error reporter must not turn into an unhandled rejection
          }
        },
      )
      .finally(() => this.inFlight.delete(write));
    this.inFlight.add(write);
  }

  /** Waits for the writes in progress (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private remember(credentialId: string, nowMs: number): void {
    this.written.delete(credentialId);
    this.written.set(credentialId, nowMs);
    if (this.written.size <= MAX_REMEMBERED) return;
    // Insertion order is write order: the oldest entries come first.
    for (const [id, ms] of this.written) {
      if (this.written.size <= MAX_REMEMBERED && nowMs - ms < USE_RECORD_INTERVAL_MS) break;
      this.written.delete(id);
    }
  }
}

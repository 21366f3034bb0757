// lastUsedAt / lastUsedIp of tokens (docs/concepts.md): at most one write a minute
// per token. The write is never awaited by the request it describes and its
// failure never fails that request: knowing when a token was last used is worth
// less than serving the call.
import type { TokenRecord } from "../domain/model";
import type { TokenRepository } from "../domain/ports/storage.port";

export const USE_RECORD_INTERVAL_MS = 60_000;

/** Remembered writes beyond this many are pruned (entries older than the interval go first). */
const MAX_REMEMBERED = 10_000;

export interface TokenUsageOptions {
  /** The clock; the system clock by default. */
  now?: () => Date;
  /** Told about a write that failed; the error is otherwise swallowed. */
  onError?: (error: unknown, tokenId: string) => void;
}

export class TokenUsageRecorder {
  /** Token id → when this instance last wrote (or tried to write) a use, in ms. */
  private readonly written = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly now: () => Date;

  constructor(
    private readonly tokens: Pick<TokenRepository, "recordUse">,
    private readonly options: TokenUsageOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Notes that `token` (as read from storage while authenticating) was just used
   * from `ip`. Returns at once; the write, if one is due, runs in the background.
   */
  used(token: Pick<TokenRecord, "id" | "lastUsedAt">, ip: string | null): void {
    const at = this.now();
    const nowMs = at.getTime();
    if (token.lastUsedAt !== null && nowMs - token.lastUsedAt.getTime() < USE_RECORD_INTERVAL_MS) return;
    const last = this.written.get(token.id);
    if (last !== undefined && nowMs - last < USE_RECORD_INTERVAL_MS) return;
    this.remember(token.id, nowMs);
    const write = this.tokens
      .recordUse(token.id, at, ip, new Date(nowMs - USE_RECORD_INTERVAL_MS))
      .then(
        () => undefined,
        (error: unknown) => {
          // Let the next use try again rather than lose a minute of history.
          if (this.written.get(token.id) === nowMs) this.written.delete(token.id);
          try {
            this.options.onError?.(error, token.id);
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

  private remember(tokenId: string, nowMs: number): void {
    this.written.delete(tokenId);
    this.written.set(tokenId, nowMs);
    if (this.written.size <= MAX_REMEMBERED) return;
    // Insertion order is write order: the oldest entries come first.
    for (const [id, ms] of this.written) {
      if (this.written.size <= MAX_REMEMBERED && nowMs - ms < USE_RECORD_INTERVAL_MS) break;
      this.written.delete(id);
    }
  }
}

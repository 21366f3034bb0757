// Writes EXPIRED on pending access requests past their deadline, now and then.
// Correctness never waits for it (a pending request past its deadline already
// reads as EXPIRED and cannot be reviewed); it makes the stored status and the
// `accessRequest.expired` event follow. Every instance may run one: the expiry
// write re-reads what is due in the writers' turn, so each request expires once.
import type { AccessReviewService } from "./access-review-service";

export const SWEEP_INTERVAL_MS = 30_000;

export class AccessRequestSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly service: Pick<AccessReviewService, "expireDue">,
    private readonly onError: (err: unknown) => void,
    private readonly intervalMs = SWEEP_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  /** One pass (until nothing is due); a pass already running is awaited rather than doubled. */
  sweep(): Promise<void> {
    this.running ??= (async () => {
      try {
        while ((await this.service.expireDue()) > 0);
      } catch (err) {
        this.onError(err);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}

/** A FIFO async lock. SQLite has one connection, so its transactions must not interleave; policy writes on one instance take turns. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;

  /** Whether someone is waiting for the lock (the holder may then want to let go). */
  contended(): boolean {
    return this.queued > 0;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => next);
    this.queued++;
    try {
      await previous;
    } finally {
      this.queued--;
    }
    try {
      return await work();
    } finally {
      release();
    }
  }
}

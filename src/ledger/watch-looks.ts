/** When the watcher looks at the ledger: one look at a time, and one pending look per settle. */

/**
 * Runs looks one at a time. A look asked for while one is under way does not run beside it: the
 * one under way may have read the file before the caller's reason to look, so it looks once more.
 */
export class SerialLooks {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly lookOnce: () => Promise<void>, private readonly isClosed: () => boolean) {}

  /** Resolves once the file has been looked at after this call. */
  check(): Promise<void> {
    if (this.isClosed()) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Resolves once the look under way, if any, is over; never rejects. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      if (this.isClosed()) return;
      await this.lookOnce();
    } while (this.again);
  }
}

/**
 * Waits a short settle after an event before looking (an editor's save is several events), with
 * one pending look at most: a burst of events (1,000 own writes) costs a few looks, not 1,000.
 */
export class SettleTimer {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ms: number, private readonly fire: () => void) {}

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fire();
    }, this.ms);
    this.timer.unref();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

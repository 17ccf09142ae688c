/** The optional global rate limit: at most `perMinute` claims in any 60 seconds, over all accounts. */

const MINUTE_MS = 60_000;

export class RateLimit {
  /** The latest claim times, ascending; only the last `perMinute` can matter. */
  private times: number[] = [];

  constructor(readonly perMinute: number, earlierClaims: Iterable<number> = []) {
    const sorted = [...earlierClaims].sort((a, b) => a - b);
    this.times = sorted.slice(-perMinute);
  }

  /** When the next claim may be made: `now` or later. */
  nextAllowedAt(now: number): number {
    if (this.times.length < this.perMinute) return now;
    return Math.max(now, this.times[0]! + MINUTE_MS);
  }

  record(at: number): void {
    this.times.push(at);
    if (this.times.length > this.perMinute) this.times.shift();
  }
}

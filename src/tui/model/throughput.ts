/**
 * Jobs finished per second (the last minute, for the rate) and per minute (the last 20, for the
 * sparkline), in two rings. Adding a job stamped in the current second is two increments.
 */
export const MINUTE = 60_000;
const SECOND = 1000;
const HISTORY_MINUTES = 20;
/** The rate is taken over the last minute (or since the start, if sooner). */
const RATE_WINDOW_SECONDS = 60;
/** Seconds kept in the ring (a little more than the window). */
const SECONDS_KEPT = 64;

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}

export class Throughput {
  private readonly seconds = new Uint32Array(SECONDS_KEPT);
  private readonly minutes = new Uint32Array(HISTORY_MINUTES);
  /** The latest second and minute anything was added in (epoch seconds, minutes). */
  private second = Number.NEGATIVE_INFINITY;
  private minute = Number.NEGATIVE_INFINITY;
  /** `second` as a span of epoch ms, and the ring slots of `second` and `minute`. */
  private secondStart = Number.POSITIVE_INFINITY;
  private secondEnd = Number.NEGATIVE_INFINITY;
  private secondSlot = 0;
  private minuteSlot = 0;

  add(at: number): void {
    if (at >= this.secondStart && at < this.secondEnd) {
      this.seconds[this.secondSlot]! += 1;
      this.minutes[this.minuteSlot]! += 1;
      return;
    }
    this.addElsewhere(at);
  }

  private addElsewhere(at: number): void {
    const s = Math.floor(at / SECOND);
    const m = Math.floor(at / MINUTE);
    if (s > this.second) {
      const gap = Math.min(SECONDS_KEPT, s - this.second);
      for (let i = 0; i < gap; i++) this.seconds[mod(s - i, SECONDS_KEPT)] = 0;
      this.second = s;
      this.secondStart = s * SECOND;
      this.secondEnd = this.secondStart + SECOND;
      this.secondSlot = mod(s, SECONDS_KEPT);
    }
    if (m > this.minute) {
      const gap = Math.min(HISTORY_MINUTES, m - this.minute);
      for (let i = 0; i < gap; i++) this.minutes[mod(m - i, HISTORY_MINUTES)] = 0;
      this.minute = m;
      this.minuteSlot = mod(m, HISTORY_MINUTES);
    }
    // An event stamped in a second (or minute) already left still counts, in its own slot if kept.
    if (this.second - s < SECONDS_KEPT) this.seconds[mod(s, SECONDS_KEPT)]! += 1;
    if (this.minute - m < HISTORY_MINUTES) this.minutes[mod(m, HISTORY_MINUTES)]! += 1;
  }

  private inSecond(s: number): number {
    if (s > this.second || this.second - s >= SECONDS_KEPT) return 0;
    return this.seconds[mod(s, SECONDS_KEPT)]!;
  }

  private inMinute(m: number): number {
    if (m > this.minute || this.minute - m >= HISTORY_MINUTES) return 0;
    return this.minutes[mod(m, HISTORY_MINUTES)]!;
  }

  /** Jobs per minute, oldest first, from the run's first minute (at most 20) to `now`'s. */
  series(now: number, startedAt: number): number[] {
    const last = Math.floor(now / MINUTE);
    const first = Math.max(Math.floor(startedAt / MINUTE), last - HISTORY_MINUTES + 1);
    const out: number[] = [];
    for (let m = first; m <= last; m++) out.push(this.inMinute(m));
    return out;
  }

  /**
   * Jobs per minute over the last minute, or since the start if sooner: a run ten seconds old
   * already has a rate. Under a second of history the span counts as a second (no wild first rates).
   */
  rate(now: number, startedAt: number): number {
    const last = Math.floor(now / SECOND);
    // Whole seconds back from now's; the run's first second counts from the start.
    let first = Math.floor((now - RATE_WINDOW_SECONDS * SECOND) / SECOND) + 1;
    let from = first * SECOND;
    if (from <= startedAt) {
      first = Math.floor(startedAt / SECOND);
      from = startedAt;
    }
    let n = 0;
    for (let s = first; s <= last; s++) n += this.inSecond(s);
    return (n / Math.max(SECOND, now - from)) * MINUTE;
  }
}

/**
 * How far apart the live screen's frames should be. The runner's main thread is what a busy run
 * waits on, and drawing shares it: each frame is timed, and the next one waits long enough that
 * drawing takes no more than FRAME_BUDGET of the main thread while the runner keeps it busy. With
 * Ink, a frame of this screen costs a few milliseconds (more while the code is not yet hot), so a
 * busy run is redrawn two to five times a second, and a calm run (the main thread mostly idle) ten
 * times a second.
 */
import { performance as perfHooks, type EventLoopUtilization } from 'node:perf_hooks';

/**
 * The share of the main thread drawing may take while the runner keeps it busy (the model's own
 * cost is apart, and tiny).
 */
const FRAME_BUDGET = 0.02;
/**
 * The share it may take while the main thread is mostly idle (a calm run: real posts take
 * seconds, and the runner waits for its workers): ten frames a second of any usual cost.
 */
const IDLE_BUDGET = 0.25;
/** The runner keeps the main thread busy when it (not drawing) takes more than this share of it. */
const BUSY_SHARE = 0.25;
/** The main thread's load is measured over this many ticks. */
export const LOAD_TICKS = 5;
/** However costly a frame, a run is redrawn at least every this many ticks while events come. */
const MAX_GAP_TICKS = 5;

/**
 * What frames cost lately, and so how many ticks apart they should be: the median of the last
 * few, so that one garbage collection does not slow the screen down. The first frame (drawn
 * before the run starts, and paying for compiling the code) is left out; the run's first frames
 * are slow for the same reason and count, so a busy run starts at a couple of frames a second and
 * speeds up as drawing gets cheaper.
 *
 * How much of the main thread drawing may take depends on how busy the runner keeps it: the
 * event loop's utilization (Node's measure of a thread's load) less what drawing itself took,
 * over the last LOAD_TICKS. Until it is measured, the run counts as busy.
 */
export class FrameCosts {
  private readonly recent: number[] = [];
  private seen = 0;
  private busy = true;
  private drawnMs = 0;
  private loadMark: EventLoopUtilization | undefined;

  /** `load` reads the main thread's event loop utilization so far (tests pass their own). */
  constructor(private readonly load: () => EventLoopUtilization | undefined = loadNow) {
    this.loadMark = load();
  }

  add(ms: number): void {
    this.seen += 1;
    this.drawnMs += ms;
    if (this.seen === 1) return;
    this.recent.push(ms);
    if (this.recent.length > 5) this.recent.shift();
  }

  typical(): number {
    if (this.recent.length === 0) return 0;
    const sorted = [...this.recent].sort((a, b) => a - b);
    return sorted[sorted.length >> 1]!;
  }

  measureLoad(): void {
    const mark = this.load();
    const before = this.loadMark;
    this.loadMark = mark;
    if (mark && before) {
      const active = mark.active - before.active;
      const span = active + mark.idle - before.idle;
      if (span > 0) this.busy = (active - this.drawnMs) / span > BUSY_SHARE;
    }
    this.drawnMs = 0;
  }

  /** Ticks between frames: as many as keep drawing within its share, from one to MAX_GAP_TICKS. */
  gapTicks(tickMs: number): number {
    const budget = this.busy ? FRAME_BUDGET : IDLE_BUDGET;
    return Math.min(MAX_GAP_TICKS, Math.max(1, Math.ceil(this.typical() / budget / tickMs)));
  }
}

/** The main thread's load so far, if this Node can tell (a test's fake clock may hide it). */
function loadNow(): EventLoopUtilization | undefined {
  const mark = perfHooks.eventLoopUtilization?.();
  return mark && typeof mark.active === 'number' ? mark : undefined;
}

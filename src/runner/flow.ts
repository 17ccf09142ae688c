/** The run's lifecycle as the dispatch loop sees it; the Runner implements it. */
import type { EndReason } from './events.js';

export interface RunFlow {
  readonly paused: boolean;
  /** A stop was asked for (or the day is done): no new claims. */
  readonly stopping: boolean;
  /** Neither paused nor stopping. */
  readonly claiming: boolean;
  /** The grace period after a stop ran out: jobs still running were aborted. */
  readonly graceExpired: boolean;
  /** The run's end is being written. */
  readonly ended: boolean;
  /** Something the run cannot go on from: say so, stop, and end with `reason`. */
  fatal(reason: EndReason, message: string): void;
  /** A bug: stop at once and reject run(). */
  crash(error: unknown): void;
  /** Every worker is idle after a stop: write the end. */
  finish(): void;
}

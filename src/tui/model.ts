/**
 * What the live screen knows about a run, built only from the runner's events (never its
 * internals). No React, no timers, no clock: every time comes from the events or is passed in.
 *
 * The model is a few slices, one per concern, each a state and a reducer (model/reducer.ts): the
 * run itself (model/run.ts), counts and progress (model/progress.ts), workers (model/workers.ts),
 * accounts at the cap and in flight (model/accounts.ts), frozen and cooling accounts
 * (model/account-health.ts), failures (model/failures.ts), event lines (model/notes.ts) and the
 * lines shown and scrolled out (model/history.ts). model/slices.ts says which slices hear each
 * event; this class subscribes them and answers what the components read.
 *
 * The runner's main thread is what limits a busy run, and it emits two events per job (claimed,
 * then done), 20,000+ a second. So the model subscribes to each event type on its own (no tagging
 * and no switch per event) and the common path of a job allocates nothing: a claim is a few
 * counters and one map entry (its account's cap count), an outcome a few counters. Everything the
 * screen shows beyond counters (worker rows, account rows, rates) is derived when a frame is
 * drawn, ten times a second at most, not when an event arrives.
 */
import type { StatusCounts } from '../core/job.js';
import type { RunEvent, RunEventName, RunEventStream } from '../runner/events.js';
import { coolingAt, coolingCount, frozenRows, type CoolingView } from './model/account-health.js';
import { accountRows, accountView, type AccountView } from './model/accounts.js';
import { failureTallies, type FailureTally } from './model/failures.js';
import { liveFailures, liveNotes, takeScrolled, type FailureLine, type HistoryOptions, type NoteLine, type ScrolledLine } from './model/history.js';
import { done, etaMs, remaining, unassigned } from './model/progress.js';
import { dispatch, type Handlers } from './model/reducer.js';
import { elapsedMs, windowClosed, type RunEnd, type RunHeader, type WindowView } from './model/run.js';
import { handlersOf, newSlices, type Slices } from './model/slices.js';
import { workerStates, type WorkerState } from './model/workers.js';

export type { AccountView, CoolingView, FailureLine, FailureTally, NoteLine, RunEnd, RunHeader, ScrolledLine, WindowView, WorkerState };
export type { FailureOutcome } from './model/failures.js';
export type { NoteTone } from './model/history.js';
export type RunViewOptions = HistoryOptions;

export class RunView {
  /** Whether the account count is of every account (run-started does not list them: it is of those seen so far). */
  readonly accountsComplete = false;
  private readonly s: Slices;
  private readonly handlers: Handlers;

  constructor(options: RunViewOptions = {}) {
    this.s = newSlices(options);
    this.handlers = handlersOf(this.s);
  }

  /**
   * Subscribes to every event type of `events` (one listener per type: the stream then neither
   * tags nor copies events for this subscriber). Returns the unsubscribe function.
   */
  attach(events: RunEventStream): () => void {
    const offs = (Object.keys(this.handlers) as RunEventName[]).map((name) => listen(events, this.handlers, name));
    return () => {
      for (const off of offs) off();
    };
  }

  /** One event of any type (for a subscriber of `onAny`, and tests). */
  apply(event: RunEvent): void {
    dispatch(this.handlers, event);
  }

  /** Goes up with every event that changes what is drawn: the screen redraws only when it moved. */
  get version(): number { return this.s.version; }

  // ---- what the components read ----

  get header(): RunHeader | undefined { return this.s.run.header; }
  get paused(): boolean { return this.s.run.paused; }
  get stopping(): { reason: string; graceMs: number; at: number } | undefined { return this.s.run.stopping; }
  get ended(): RunEnd | undefined { return this.s.run.ended; }
  /** The posting window, once a 'window' event said something about it. */
  get window(): WindowView | undefined { return this.s.run.window; }
  /** The posting window while it is closed, else undefined. */
  get windowClosed(): WindowView | undefined { return windowClosed(this.s.run); }
  get cap(): number { return this.s.run.header?.cap ?? 1; }
  elapsedMs(now: number): number { return elapsedMs(this.s.run, now); }

  get counts(): StatusCounts { return this.s.progress.counts; }
  /** Jobs in the ledger. */
  get total(): number { return this.s.progress.total; }
  /** Pending jobs held back by the cap (they cannot run today). */
  get heldAtCap(): number { return this.s.progress.heldByCap.size; }
  /** Pending jobs with no account (never claimed), as last reported. */
  get unassigned(): number { return unassigned(this.s.progress); }
  /** Jobs this run can still work on: claimable pending, in flight, waiting to retry. */
  get remaining(): number { return remaining(this.s.progress); }
  /** Jobs settled: the progress bar's numerator (jobs set aside are not done). */
  get done(): number { return done(this.s.progress); }
  /** Jobs finished per minute, oldest first (the sparkline). */
  perMinute(now: number): number[] { return this.s.run.header ? this.s.progress.throughput.series(now, this.s.run.header.startedAt) : []; }
  /** Jobs finished per minute over the last minute (or since the start, if sooner). */
  rate(now: number): number { return this.s.run.header ? this.s.progress.throughput.rate(now, this.s.run.header.startedAt) : 0; }
  /** Time left at the recent rate, or undefined when there is no rate yet, nothing left, or the run is over. */
  etaMs(now: number): number | undefined { return this.s.run.ended ? undefined : etaMs(this.s.progress, this.rate(now)); }

  /** Each worker's row, as of now (made when a frame asks). */
  get workers(): WorkerState[] { return workerStates(this.s.workers); }
  get workerCount(): number { return this.s.workers.slots.length; }

  /** Accounts seen so far (all of them if run-started listed them). */
  get accountCount(): number { return this.s.accounts.state.size; }
  /** Accounts at the cap, and with a job in flight. */
  get atCap(): number { return this.s.accounts.atCap; }
  get inFlight(): number { return this.s.accounts.inFlight; }
  /** Accounts whose last failure was an account error. */
  get withAccountErrors(): number { return this.s.failures.withAccountErrors; }
  /** One account as the `a` view shows it, or undefined if never seen. */
  account(name: string): AccountView | undefined { return accountView(this.s.accounts, this.s.failures.trouble, name); }
  /** Accounts for the `a` view, the most notable first; the first `limit` of them. */
  accountRows(limit?: number): AccountView[] { return accountRows(this.s.accounts, this.s.failures.trouble, limit); }

  /** Frozen account → why. */
  get frozen(): ReadonlyMap<string, string> { return this.s.health.frozen; }
  /** Cooling account → until when and why (entries whose time passed go at the next `coolingAt`). */
  get cooling(): ReadonlyMap<string, { until: number; reason: string }> { return this.s.health.cooling; }
  /** Accounts still cooling down at `now`, the soonest free first. */
  coolingAt(now: number): CoolingView[] { return coolingAt(this.s.health, now); }
  coolingCount(now: number): number { return coolingCount(this.s.health, now); }
  frozenRows(): Array<{ account: string; reason: string }> { return frozenRows(this.s.health); }

  /** Failed attempts during this run, retried or not. */
  get failedAttempts(): number { return this.s.failures.failedAttempts; }
  /** Failure counts by category/type, most frequent first. */
  failureTallies(): FailureTally[] { return failureTallies(this.s.failures); }

  /** The last failures and events, newest last. */
  get failures(): readonly FailureLine[] { return this.s.history.failures; }
  get notes(): readonly NoteLine[] { return this.s.history.notes; }
  get failureCount(): number { return this.s.history.failureCount; }
  get noteCount(): number { return this.s.history.noteCount; }
  /** Failures still shown in the live part, oldest first. */
  liveFailures(): FailureLine[] { return liveFailures(this.s.history); }
  liveNotes(): NoteLine[] { return liveNotes(this.s.history); }
  /** Lines that left the live part since the last call, oldest first, with a count of any dropped in a burst. */
  takeScrolled(): ScrolledLine[] { return takeScrolled(this.s.history); }
}

/** Subscribes the handler of one event type to it. */
function listen<K extends RunEventName>(events: RunEventStream, handlers: Handlers, name: K): () => void {
  return events.on(name, handlers[name]);
}

/**
 * The main-thread runner: worker threads (runner/slots.ts) ask for claims, the dispatch loop
 * (runner/dispatch.ts) gets them from the store in durable steps, and the run ends when nothing can
 * be claimed now or later. This file puts the parts together and owns the run's lifecycle: start,
 * pause, stop with a grace period, and the end. docs/design.md#the-runner-srcrunner draws the parts.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_CAP, DEFAULT_RETRY_DELAY_MS } from '../core/job.js';
import { DEFAULT_HEALTH, DEFAULT_PACING } from '../core/policy.js';
import { DaycapError, HandlerError } from '../errors.js';
import { loadHandler, withVerify } from '../handlers/load.js';
import type { LoadedHandler, VerifySpec } from '../handlers/types.js';
import type { HandlerSpec } from '../protocol.js';
import { ledgerAt } from '../store/open.js';
import type { Store } from '../store/store.js';
import type { ControlRequest, LiveStatus } from './control-protocol.js';
import { startControlServer, type ControlServer } from './control-server.js';
import { RUN_DEFAULTS } from './defaults.js';
import { Dispatcher } from './dispatch.js';
import { RunEventStream, type EndReason, type RunSummary } from './events.js';
import type { RunOptions } from './options.js';

export type { RunOptions } from './options.js';
import type { RunFlow } from './flow.js';
import { describePacing } from './log.js';
import { answerControl, operatorAction, type OperatorContext } from './operator.js';
import { tellCapSkips } from './news.js';
import { recoverAdopted, recoverAtStart, type RecoveryContext } from './recover.js';
import { endRun } from './shutdown.js';
import { WorkerSlots } from './slots.js';
import { forwardStoreNews } from './store-news.js';

export interface RunResult {
  summary: RunSummary;
  exitCode: number;
  reason: EndReason;
}

/**
 * A database ledger's commit costs a round trip and a disk flush, several times a journal's group
 * commit: workers whose jobs are that quick queue deeper there, so each transaction carries more.
 */
const DEFAULTS = { ...RUN_DEFAULTS, maxPrefetch: 8, sharedPrefetch: 32 };
/** How often a run on a shared ledger tells the day's totals, other hosts' work included. */
const SHARED_COUNTS_EVERY_MS = 2_000;

export class Runner implements RunFlow {
  readonly events: RunEventStream;
  readonly runId: string;
  readonly claimLatencies: number[] = [];
  paused = false;
  stopping = false;
  graceExpired = false;
  ended = false;
  private endReason: EndReason | undefined;
  /** The message of the fatal error that set endReason, if one did. */
  private endCause: string | undefined;
  private readonly slots: WorkerSlots;
  private readonly dispatch: Dispatcher;
  private readonly clock: () => number;
  private readonly settings: { workers: number; cap: number; maxPasses: number; jobTimeoutMs: number; graceMs: number; verifyTimeoutMs: number; maxPrefetch: number };
  private readonly endHooks: Array<() => Promise<void>> = [];
  private readonly afterEndHooks: Array<() => Promise<void>> = [];
  private control: ControlServer | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private countsTimer: NodeJS.Timeout | undefined;
  private settle!: { resolve: (result: RunResult) => void; reject: (error: unknown) => void };
  private crashed = false;

  private constructor(readonly store: Store, private readonly handler: LoadedHandler, private readonly options: RunOptions) {
    this.events = options.events ?? new RunEventStream();
    this.clock = options.clock ?? Date.now;
    this.runId = options.runId ?? newRunId();
    this.settings = {
      workers: options.workers ?? DEFAULTS.workers,
      cap: options.cap ?? DEFAULT_CAP,
      maxPasses: options.maxPasses ?? DEFAULTS.maxPasses,
      jobTimeoutMs: options.jobTimeoutMs ?? DEFAULTS.jobTimeoutMs,
      graceMs: options.graceMs ?? DEFAULTS.graceMs,
      verifyTimeoutMs: options.verifyTimeoutMs ?? DEFAULTS.verifyTimeoutMs,
      maxPrefetch: Math.max(1, Math.floor(options.maxPrefetch ?? (store.shared ? DEFAULTS.sharedPrefetch : DEFAULTS.maxPrefetch))),
    };
    this.slots = new WorkerSlots({ workers: this.settings.workers, handler: options.handler, jobTimeoutMs: this.settings.jobTimeoutMs }, {
      message: (slot, message) => this.dispatch.onMessage(slot, message),
      ended: (slot, error) => void this.dispatch.onSlotEnded(slot, error).catch((bug: unknown) => this.crash(bug)),
      crash: (error) => this.crash(error),
    });
    const pacing = options.pacing ?? DEFAULT_PACING;
    this.dispatch = new Dispatcher({
      store, events: this.events, slots: this.slots, flow: this, clock: this.clock, runId: this.runId,
      maxPrefetch: this.settings.maxPrefetch, maxPasses: this.settings.maxPasses, maxWaitMs: pacing.maxWaitMs,
      windowEnds: pacing.windows?.atEnd === 'end', othersPollMs: options.othersPollMs,
      claimLatencies: options.measureClaimLatency ? this.claimLatencies : undefined,
      onDayDone: () => this.dayDone(),
    });
  }

  /**
   * Loads the handler and takes the ledger (lock, journal recovery, parse). Everything that can
   * refuse a run refuses here, before any claim.
   */
  static async open(options: RunOptions): Promise<Runner> {
    const workers = options.workers ?? DEFAULTS.workers;
    if (!Number.isInteger(workers) || workers < 1) throw new DaycapError('BAD_WORKERS', `--workers must be a whole number of at least 1, not ${workers}`);
    // The handler first: a poster that cannot be loaded is refused before the ledger is touched at all.
    const handler = await loadHandlerForRun(options.handler, options.verify);
    // Known before the ledger is taken: a shared ledger registers the run by it.
    const runId = options.runId ?? newRunId();
    const store = await ledgerAt(options.ledger, { staleMs: options.staleMs, leaseMs: options.leaseMs, retryWindowMs: options.dbRetryWindowMs }).open({
      durability: 'journal',
      runId,
      command: options.command ?? 'daycap run',
      fileOps: options.fileOps,
      clock: options.clock,
      readArchived: options.readArchived,
      watchSettleMs: options.watchSettleMs,
      watchPollMs: options.watchPollMs,
      rules: {
        cap: options.cap ?? DEFAULT_CAP, health: options.health ?? DEFAULT_HEALTH, pacing: options.pacing ?? DEFAULT_PACING,
        rules: options.rules, retryDelayMs: options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS, pastPosts: options.pastPosts, archivedToday: options.archivedToday, random: options.random, timeFormat: options.timeFormat,
      },
    });
    return new Runner(store, handler, { ...options, runId });
  }

  get claiming(): boolean {
    return !this.paused && !this.stopping;
  }

  get isPaused(): boolean {
    return this.paused;
  }


  pause(): void {
    if (this.paused || this.stopping) return;
    this.paused = true;
    this.events.emit('paused', { paused: true, at: this.clock() });
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.events.emit('paused', { paused: false, at: this.clock() });
    this.dispatch.wakeParked();
    this.dispatch.checkIdle();
  }

  /** Graceful stop: no new claims; jobs in flight get the grace period, then are aborted. */
  stop(reason = 'stop requested'): void {
    if (this.stopping) return;
    this.stopping = true;
    this.endReason ??= 'interrupted';
    this.events.emit('stopping', { reason, graceMs: this.settings.graceMs, at: this.clock() });
    this.dispatch.stopTimers();
    // Every worker hears it: queued claims come back unstarted, the running job may finish.
    this.slots.broadcast({ type: 'stop' });
    this.graceTimer = setTimeout(() => {
      this.graceExpired = true;
      for (const slot of this.slots.all) if (slot.jobs[0]) this.slots.send(slot, { type: 'abort', jobId: slot.jobs[0].job_id });
    }, this.settings.graceMs);
    this.graceTimer.unref();
    this.dispatch.checkIdle();
  }

  /** Runs the day until nothing can be claimed now or later; resolves with the exit code. */
  async run(): Promise<RunResult> {
    const done = new Promise<RunResult>((resolve, reject) => (this.settle = { resolve, reject }));
    this.startedAt = this.clock();
    forwardStoreNews(this.store, this.events, this.clock, {
      fatal: (reason, message) => this.fatal(reason, message),
      changed: (rows) => this.afterChange(rows),
      wake: () => this.wake(),
      control: (op) => (op === 'pause' ? this.pause() : op === 'resume' ? this.resume() : this.stop('daycap stop')),
      adopted: (news) => void recoverAdopted(this.recoveryContext(), news).then(() => this.wake(), () => undefined),
    });
    let capSkips;
    try {
      capSkips = await recoverAtStart(this.recoveryContext());
    } catch (error) {
      // A disk fault while recording the recovery ends the run as a storage failure, before any claim.
      if (!this.ended) this.fatal('storage-failed', `could not write the journal: ${error instanceof Error ? error.message : String(error)}`);
      return done;
    }
    if (this.options.watchLedger !== false) await this.store.watch();
    // A shared ledger's runs are steered through the ledger itself (pause, resume and stop reach every host).
    if (this.options.controlSocket !== false && !this.store.shared) await this.openControl();
    if (this.store.shared) this.tellSharedCounts();
    if (this.store.tookOverFrom) this.events.emit('warning', { message: `took over the ledger lock from ${this.store.tookOverFrom}`, at: this.clock() });
    await this.announceStart();
    tellCapSkips(this.events, capSkips, this.clock());
    this.slots.start();
    return done;
  }

  private recoveryContext(): RecoveryContext {
    return { store: this.store, handler: this.handler, events: this.events, clock: this.clock, runId: this.runId, verifyTimeoutMs: this.settings.verifyTimeoutMs };
  }

  /** Other hosts move the day too: their work reaches the counts every few seconds. */
  private tellSharedCounts(): void {
    this.countsTimer = setInterval(() => {
      if (this.ended) return;
      void this.store.tally().then((tally) => {
        if (!this.ended) this.events.emit('ledger-counts', { counts: tally.counts, jobs: tally.jobs, at: this.clock() });
      }, () => undefined);
    }, SHARED_COUNTS_EVERY_MS);
    this.countsTimer.unref();
  }

  private async announceStart(): Promise<void> {
    const now = this.clock();
    const [tally, summary] = await Promise.all([this.store.tally(), this.store.summary(now)]);
    this.events.emit('run-started', {
      runId: this.runId, ledger: this.store.ledger, workers: this.settings.workers, cap: this.settings.cap,
      handler: this.handler.describe, counts: tally.counts, jobs: tally.jobs, at: now,
      frozen: summary.frozen, cooling: summary.cooling, pacing: describePacing(this.options.pacing ?? DEFAULT_PACING),
    });
  }

  private async openControl(): Promise<void> {
    this.control = await startControlServer(this.options.ledger, this.runId, (request) => this.answer(request)).catch((error: unknown) => {
      this.events.emit('warning', { message: `no control socket: ${error instanceof Error ? error.message : String(error)}`, at: this.clock() });
      return undefined;
    });
  }

  /** Work to finish before run() resolves (e.g. appending to the posted ledger). */
  beforeEnd(hook: () => Promise<void>): void {
    this.endHooks.push(hook);
  }

  /** Work to finish after run-ended is told and before run() resolves (e.g. the last notifications). */
  afterEnd(hook: () => Promise<void>): void {
    this.afterEndHooks.push(hook);
  }

  /** What `daycap status` shows beside this run: the live rows, not the file. */
  async liveStatus(): Promise<LiveStatus> {
    const summary = await this.store.summary(this.clock());
    return { ...summary, cap: this.settings.cap, ledger: this.store.ledger, runId: this.runId, pid: process.pid, paused: this.paused, startedAt: this.startedAt };
  }

  /** An operator's request, as the control socket hands it over (also used by tests). */
  answer(request: ControlRequest) {
    return answerControl(this.operatorContext(), request);
  }

  /** retry-failed, release-stale or unfreeze on the live rows: made durable, then offered to idle workers. */
  act(action: Parameters<typeof operatorAction>[1]) {
    return operatorAction(this.operatorContext(), action);
  }

  private operatorContext(): OperatorContext {
    return {
      store: this.store, events: this.events, clock: this.clock, graceMs: this.settings.graceMs,
      pause: () => this.pause(), resume: () => this.resume(), stop: (reason) => this.stop(reason),
      liveStatus: () => this.liveStatus(), changed: (rows) => this.afterChange(rows),
    };
  }

  private afterChange(rows: readonly unknown[]): void {
    if (rows.length > 0) this.wake();
  }

  /** Idle workers look again: something may have become claimable. */
  private wake(): void {
    if (this.ended) return;
    this.dispatch.wakeParked();
    this.dispatch.checkIdle();
  }

  private dayDone(): void {
    this.endReason = 'done';
    this.stopping = true;
    this.slots.broadcast({ type: 'stop' });
    this.finish();
  }

  fatal(reason: EndReason, message: string): void {
    if (this.endReason === 'storage-failed' || this.endReason === 'lock-lost') return;
    this.events.emit('warning', { message, at: this.clock() });
    this.endReason = reason;
    this.endCause = message;
    if (!this.stopping) this.stop(message);
    // Nothing more can be made durable: end now, without waiting for jobs in flight.
    if (reason === 'storage-failed' || reason === 'lock-lost') this.finish();
  }

  finish(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.graceTimer);
    clearInterval(this.countsTimer);
    this.dispatch.stopTimers();
    endRun({
      store: this.store, events: this.events, slots: this.slots, clock: this.clock, runId: this.runId, ledger: this.store.ledger,
      reason: () => this.endReason ?? 'done', cause: () => this.endCause, fatal: (reason, message) => this.fatal(reason, message),
      startedAt: this.startedAt, passes: () => this.dispatch.passes, processed: () => this.dispatch.processed, unrecorded: () => this.dispatch.unrecorded,
      closeControl: () => this.control?.close().catch(() => undefined) ?? Promise.resolve(), endHooks: this.endHooks, afterEndHooks: this.afterEndHooks,
    }).then(this.settle.resolve, async (error: unknown) => {
      await this.store.close({ final: false, label: this.runId }).catch(() => undefined);
      this.settle.reject(error);
    });
  }

  /**
   * A bug in the runner itself: stop at once and reject run(). Everything made durable so far is in
   * the journal; it is left active so the next start folds it into the CSV.
   */
  crash(error: unknown): void {
    if (this.crashed) return;
    this.crashed = true;
    this.stopping = true;
    this.ended = true;
    clearTimeout(this.graceTimer);
    clearInterval(this.countsTimer);
    this.dispatch.stopTimers();
    void (async () => {
      await this.control?.close().catch(() => undefined);
      await this.slots.destroy();
      await this.store.close({ final: false, label: this.runId }).catch(() => undefined);
      this.settle.reject(error);
    })();
  }
}

function newRunId(): string {
  return randomBytes(3).toString('hex');
}

async function loadHandlerForRun(spec: HandlerSpec, verify: VerifySpec | undefined): Promise<LoadedHandler> {
  const loaded = await refusedAs(loadHandler(spec), 'Check the --handler option: a path to a .js/.mjs module with a default export, `simulate`, or `command:<program> [args…]`.');
  if (!verify) return loaded;
  return refusedAs(withVerify(loaded, spec, verify), "Check --verify (or verify in the configuration): 'command:<program> [args…]', an executable program, for a handler without a verify of its own.");
}

/** A handler that cannot be used, as the operator's mistake it is. */
async function refusedAs<T>(loading: Promise<T>, hint: string): Promise<T> {
  try {
    return await loading;
  } catch (error) {
    if (error instanceof DaycapError) throw error;
    throw new HandlerError(error instanceof Error ? error.message : String(error), { cause: error, hint });
  }
}

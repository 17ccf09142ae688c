/**
 * The main-thread runner: owns the ledger store and the tracker, hands out claims to worker
 * threads over the protocol, makes every claim and outcome durable before acting on it (G3),
 * and ends when nothing can be claimed now or later.
 */
import { randomBytes } from 'node:crypto';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { CategoryRule } from '../core/classify.js';
import { DEFAULT_CAP, DEFAULT_RETRY_DELAY_MS, zeroCounts, type Job, type StatusCounts } from '../core/job.js';
import { ledgerTimeFormat, parseTime, timeFormatter, type TimeFormat } from '../core/time.js';
import { Tracker } from '../core/tracker.js';
import { DaycapError, HandlerError, StorageError } from '../errors.js';
import { loadHandler } from '../handlers/load.js';
import type { LoadedHandler } from '../handlers/types.js';
import { LedgerStore, readLedgerView } from '../ledger/store.js';
import type { FileOps } from '../ledger/fileOps.js';
import type { HandlerSpec, MainToWorker, WorkerStart, WorkerToMain } from '../protocol.js';
import { exitCodeFor, EXIT } from './exit-codes.js';
import { RunEventStream, type EndReason, type RunSummary } from './events.js';
import { workerFile } from './worker-file.js';
import { ExternalEdits } from './external-edits.js';
import { startControlServer, type ControlServer } from './control-server.js';
import type { ControlRequest, LiveStatus } from './control-protocol.js';
import { summarize } from '../core/summary.js';
import { DEFAULT_HEALTH, DEFAULT_PACING, type HealthPolicy, type PacingPolicy, type PastPost } from '../core/policy.js';
import { formatDuration } from './log.js';
import { HealthNews } from './health-news.js';
import { recoverAtStart } from './recover.js';
import { RUN_DEFAULTS } from './defaults.js';

export interface RunOptions {
  ledger: string;
  handler: HandlerSpec;
  workers?: number;
  cap?: number;
  maxPasses?: number;
  retryDelayMs?: number;
  jobTimeoutMs?: number;
  /** How long jobs in flight may finish after a stop before they are aborted. */
  graceMs?: number;
  rules?: readonly CategoryRule[];
  /** Account health: which failures freeze an account, which cool it down and for how long. */
  health?: HealthPolicy;
  /** Pacing: gaps between an account's posts, a global rate limit, posting windows, the rolling cap. */
  pacing?: PacingPolicy;
  /** Posts of the previous day (archives), for a rolling 24-hour cap. */
  pastPosts?: readonly PastPost[];
  /** Possible posts made earlier today that are in archives (account -> count): the day cap counts them. */
  archivedToday?: ReadonlyMap<string, number>;
  /** Uniform in [0, 1) for the jitter on gaps; tests inject a seeded one. */
  random?: () => number;
  /** What the lock's owner file says is running. */
  command?: string;
  /** When the ledger's lock counts as abandoned (see LockTiming). */
  staleMs?: number;
  clock?: () => number;
  runId?: string;
  events?: RunEventStream;
  /** Keep claim latencies (ms) for the benchmark. */
  measureClaimLatency?: boolean;
  /**
   * The most claims a worker may hold at once (the running one plus those queued behind it) when
   * its jobs finish faster than a journal sync; then the journal write overlaps with posting.
   * Workers whose jobs take longer (every real post) hold one claim at a time, so a crash leaves
   * at most one unconfirmed job per worker. Default 8.
   */
  maxPrefetch?: number;
  /** The file layer under the ledger and journal; tests inject faults here. */
  fileOps?: FileOps;
  /**
   * How to write times into a ledger that has none yet (`ledger.timeFormat`; default `utc`). A
   * ledger that already has times keeps its own convention (README "Times").
   */
  timeFormat?: TimeFormat;
  /** Answer `daycap status|pause|resume|stop|retry-failed|release-stale` from other terminals. Default true. */
  controlSocket?: boolean;
  /** Watch the ledger for outside edits and merge them (G7). Default true. */
  watchLedger?: boolean;
  watchSettleMs?: number;
  watchPollMs?: number;
}

const DEFAULTS = { ...RUN_DEFAULTS, maxPrefetch: 8 };
/** Jobs quicker than this (ms, on average) are worth queueing behind each other. */
const FAST_JOB_MS = 5;

interface Slot {
  id: number;
  port: MessagePort | undefined;
  /** Claims handed to this worker, in the order it runs them; the first may be running. */
  jobs: Job[];
  /** Claims being made durable for this worker, not yet handed over. */
  claiming: number;
  /** Moving average of this worker's job durations (ms); decides how many claims it may hold. */
  averageJobMs: number;
  /** Parked: asked for work and got none yet. */
  parked: boolean;
  finished: boolean;
  diedWithoutJob: number;
  requestedAt: number;
  task: Promise<unknown> | undefined;
}

export class Runner {
  readonly events: RunEventStream;
  readonly runId: string;
  /** How this run writes times, decided once from the ledger as opened. */
  readonly timeFormat: TimeFormat;
  readonly claimLatencies: number[] = [];
  private tracker!: Tracker;
  private pool: Piscina | undefined;
  private slots: Slot[] = [];
  private handler!: LoadedHandler;
  private readonly clock: () => number;
  /** The highest attempt number claimed in this run: the seed system's "pass". */
  private passes = 0;
  private announcedPass = 0;
  private processed = 0;
  private pendingCommits = 0;
  private paused = false;
  private stopping = false;
  private endReason: EndReason | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private graceExpired = false;
  private snapshotting = false;
  private snapshotRequested = false;
  private edits: ExternalEdits | undefined;
  /** Set once the run has ended and the threads are being let go: their ends are no news. */
  private poolClosing = false;
  private readonly endHooks: Array<() => Promise<void>> = [];
  private control: ControlServer | undefined;
  private startedAt = 0;
  private finished!: (summary: { summary: RunSummary; exitCode: number; reason: EndReason }) => void;
  private failed!: (error: unknown) => void;
  private readonly news: HealthNews;
  /** Archived posts the cap counts (see countArchivedPosts); the options' own until then. */
  private archivedToday: ReadonlyMap<string, number> | undefined;
  private pastPosts: readonly PastPost[] | undefined;
  private get health(): HealthPolicy {
    return this.options.health ?? DEFAULT_HEALTH;
  }
  private get pacing(): PacingPolicy {
    return this.options.pacing ?? DEFAULT_PACING;
  }
  private readonly settings: Required<Pick<RunOptions, 'workers' | 'cap' | 'maxPasses' | 'retryDelayMs' | 'jobTimeoutMs' | 'graceMs' | 'maxPrefetch'>>;

  private constructor(readonly store: LedgerStore, private readonly options: RunOptions) {
    this.events = options.events ?? new RunEventStream();
    this.clock = options.clock ?? Date.now;
    this.runId = options.runId ?? randomBytes(3).toString('hex');
    this.timeFormat = ledgerTimeFormat(store.jobs, options.timeFormat);
    this.settings = {
      workers: options.workers ?? DEFAULTS.workers,
      cap: options.cap ?? DEFAULT_CAP,
      maxPasses: options.maxPasses ?? DEFAULTS.maxPasses,
      retryDelayMs: options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
      jobTimeoutMs: options.jobTimeoutMs ?? DEFAULTS.jobTimeoutMs,
      graceMs: options.graceMs ?? DEFAULTS.graceMs,
      maxPrefetch: Math.max(1, Math.floor(options.maxPrefetch ?? DEFAULTS.maxPrefetch)),
    };
    if (!Number.isInteger(this.settings.workers) || this.settings.workers < 1) throw new DaycapError('BAD_WORKERS', `--workers must be a whole number of at least 1, not ${this.settings.workers}`);
    this.archivedToday = options.archivedToday;
    this.pastPosts = options.pastPosts;
    this.news = new HealthNews({ events: this.events, clock: this.clock, tracker: () => this.tracker, health: this.health, pacing: this.pacing });
  }

  /**
   * Takes the ledger (lock, journal recovery, parse) and loads the handler. Everything that can
   * refuse a run refuses here, before any claim.
   */
  static async open(options: RunOptions): Promise<Runner> {
    let runner: Runner | undefined;
    // The handler first: a poster that cannot be loaded is refused before the ledger is touched at all.
    const handler = await loadHandlerForRun(options.handler);
    const store = await LedgerStore.open(options.ledger, {
      command: options.command ?? 'daycap run',
      ...(options.staleMs === undefined ? {} : { staleMs: options.staleMs }),
      ...(options.fileOps ? { ops: options.fileOps } : {}),
      onCompromised: (error) => runner?.fatal('lock-lost', `the ledger lock was lost (${error.message}); writing nothing more`),
    });
    try {
      runner = new Runner(store, options);
      runner.handler = handler;
      return runner;
    } catch (error) {
      await store.close(undefined, 'refused').catch(() => undefined);
      throw error;
    }
  }

  /**
   * The posts in the ledger's archives that the cap counts, read once the ledger is locked (so a
   * reset-day cannot slip in between): today's for the day cap, the last 24 hours' for a rolling one.
   * Before run().
   */
  countArchivedPosts(archived: { today: ReadonlyMap<string, number>; recent?: readonly PastPost[] | undefined }): void {
    this.archivedToday = archived.today;
    if (archived.recent) this.pastPosts = archived.recent;
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
    this.wakeParked();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Graceful stop: no new claims; jobs in flight get the grace period, then are aborted. */
  stop(reason = 'stop requested'): void {
    if (this.stopping) return;
    this.stopping = true;
    this.endReason ??= 'interrupted';
    this.events.emit('stopping', { reason, graceMs: this.settings.graceMs, at: this.clock() });
    clearTimeout(this.retryTimer);
    // Every worker hears it: queued claims come back unstarted, the running job may finish.
    for (const slot of this.slots) this.send(slot, { type: 'stop' });
    this.graceTimer = setTimeout(() => {
      this.graceExpired = true;
      for (const slot of this.slots) if (slot.jobs[0]) this.send(slot, { type: 'abort', jobId: slot.jobs[0].job_id });
    }, this.settings.graceMs);
    this.graceTimer.unref();
    this.checkDone();
  }

  /** Runs the day until nothing can be claimed now or later; resolves with the exit code. */
  async run(): Promise<{ summary: RunSummary; exitCode: number; reason: EndReason }> {
    const done = new Promise<{ summary: RunSummary; exitCode: number; reason: EndReason }>((resolve, reject) => {
      this.finished = resolve;
      this.failed = reject;
    });
    this.startedAt = this.clock();
    // The tracker takes the loaded rows over; the store keeps no second copy during the run.
    this.tracker = new Tracker(this.store.jobs, {
      cap: this.settings.cap, adopt: true, health: this.health, pacing: this.pacing, formatTime: timeFormatter(this.timeFormat),
      ...(this.pastPosts ? { pastPosts: this.pastPosts } : {}),
      ...(this.archivedToday ? { archivedToday: this.archivedToday } : {}),
      ...(this.options.random ? { random: this.options.random } : {}),
    });
    this.store.jobs = [];
    try {
      await this.recover();
    } catch (error) {
      // Found by test/faults/disk-faults.test.ts: a disk fault while journaling the start-up recovery
      // (claims of a dead run made unconfirmed) used to reject run() with the lock still held. End
      // the run as a storage failure instead, before any claim: nothing was reported as saved.
      if (!isStorageFailure(error)) throw error;
      this.fatal('storage-failed', `could not write the journal: ${errorMessage(error)}`);
      return done;
    }
    if (this.options.watchLedger !== false) {
      this.edits = new ExternalEdits({
        ledger: this.options.ledger,
        store: this.store,
        tracker: () => this.tracker,
        events: this.events,
        clock: this.clock,
        commit: (rows) => this.commitOrFail(rows),
        requestSnapshot: () => this.requestSnapshot(),
        wake: () => {
          this.emitCapSkips();
          this.news.changed();
          this.wakeParked();
        },
        isSnapshotting: () => this.store.writingHash !== undefined,
        onError: (error) => this.events.emit('warning', { message: `handling an outside edit of the ledger failed: ${errorMessage(error)}`, at: this.clock() }),
        settleMs: this.options.watchSettleMs,
        pollMs: this.options.watchPollMs,
      });
      await this.edits.ready;
    }
    if (this.options.controlSocket !== false) {
      this.control = await startControlServer(this.options.ledger, this.runId, (request) => this.onControl(request)).catch((error: unknown) => {
        this.events.emit('warning', { message: `no control socket: ${errorMessage(error)}`, at: this.clock() });
        return undefined;
      });
    }
    if (this.store.lock?.tookOverFrom) this.events.emit('warning', { message: `took over the ledger lock from ${this.store.lock.tookOverFrom}`, at: this.clock() });
    this.events.emit('run-started', {
      runId: this.runId, ledger: this.options.ledger, workers: this.settings.workers, cap: this.settings.cap,
      handler: this.handler.describe, counts: this.tracker.statusCounts(), jobs: this.tracker.size, at: this.clock(),
      ...this.news.atStart(this.tracker.all()),
    });
    this.startPool();
    return done;
  }

  /** Work to finish before run() resolves (e.g. appending to the posted ledger). */
  beforeEnd(hook: () => Promise<void>): void {
    this.endHooks.push(hook);
  }

  /** What `daycap status` shows beside this run: the live rows, not the file. */
  liveStatus(): LiveStatus {
    return { ...summarize(this.tracker.all(), this.settings.cap, this.clock(), this.health, this.archivedToday), ledger: this.options.ledger, runId: this.runId, pid: process.pid, paused: this.paused, startedAt: this.startedAt };
  }

  /** retry-failed on the live rows: made durable, then offered to idle workers. */
  async retryFailed(options: { includeNonRetryable?: boolean | undefined; category?: string | undefined; type?: string | undefined }): Promise<Job[]> {
    const rows = this.tracker.retryFailed({
      includeNonRetryable: options.includeNonRetryable === true || options.category !== undefined,
      ...(this.options.rules ? { rules: this.options.rules } : {}),
      filter: (job) => (options.category === undefined || job.error_category === options.category) && (options.type === undefined || job.error_type === options.type),
    });
    await this.commitOrFail(rows);
    this.afterOperatorChange(rows);
    return rows;
  }

  /**
   * release-stale beside a live run: only unconfirmed jobs. This run's own claims are never stale
   * (their workers are alive), and claims of dead runs were made unconfirmed at start-up.
   */
  async releaseUnconfirmed(): Promise<Job[]> {
    const rows = this.tracker.releaseStale({ now: this.clock(), olderThanMs: Number.POSITIVE_INFINITY });
    await this.commitOrFail(rows);
    this.afterOperatorChange(rows);
    return rows;
  }

  /** unfreeze on the live rows: made durable, then offered to idle workers. */
  async unfreeze(account: string, options: { retry: boolean }): Promise<Job[]> {
    const rows = this.tracker.unfreeze(account, options);
    await this.commitOrFail(rows);
    this.afterOperatorChange(rows);
    return rows;
  }

  private afterOperatorChange(rows: Job[]): void {
    this.emitCapSkips();
    if (rows.length === 0) return;
    this.news.changed(rows);
    this.requestSnapshot();
    this.wakeParked();
  }

  private async onControl(request: ControlRequest): Promise<{ message: string; changed?: string[]; status?: LiveStatus }> {
    switch (request.op) {
      case 'status':
        return { message: 'live', status: this.liveStatus() };
      case 'pause':
        this.pause();
        return { message: 'claiming paused; jobs in flight go on (resume with `daycap resume`)' };
      case 'resume':
        this.resume();
        return { message: 'claiming resumed' };
      case 'stop':
        this.stop('daycap stop');
        return { message: `stopping: no new claims; jobs in flight have ${Math.round(this.settings.graceMs / 1000)}s to finish` };
      case 'retry-failed': {
        const rows = await this.retryFailed(request);
        return { message: `${rows.length} failed job${rows.length === 1 ? '' : 's'} back to pending in the live run`, changed: rows.map((r) => r.job_id) };
      }
      case 'unfreeze': {
        const rows = await this.unfreeze(request.account, { retry: request.retry });
        return { message: unfreezeMessage(request.account, rows, request.retry), changed: rows.map((r) => r.job_id) };
      }
      case 'release-stale': {
        const rows = await this.releaseUnconfirmed();
        return { message: `${rows.length} unconfirmed job${rows.length === 1 ? '' : 's'} back to pending in the live run (claims of this run are never stale)`, changed: rows.map((r) => r.job_id) };
      }
      default:
        throw new Error(`unknown request ${JSON.stringify((request as { op?: unknown }).op)}`);
    }
  }

  /** The tracker's rows as they are now (for status over the control socket and tests). */
  snapshotRows(): Job[] {
    return this.tracker.all();
  }

  // ---- start-up ----

  private recover(): Promise<void> {
    return recoverAtStart({ tracker: this.tracker, store: this.store, handler: this.handler, events: this.events, clock: this.clock, runId: this.runId, verifyTimeoutMs: this.settings.jobTimeoutMs });
  }

  private startPool(): void {
    const workers = this.settings.workers;
    this.pool = new Piscina({
      filename: workerFile(), minThreads: workers, maxThreads: workers, idleTimeout: 60_000, concurrentTasksPerWorker: 1, maxQueue: 'auto',
      // A small young generation keeps each thread's footprint down; handlers lose only a little GC time.
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
    for (let id = 0; id < workers; id++) {
      const slot: Slot = { id, port: undefined, jobs: [], claiming: 0, averageJobMs: Infinity, parked: false, finished: false, diedWithoutJob: 0, requestedAt: 0, task: undefined };
      this.slots.push(slot);
      this.launch(slot);
    }
  }

  private launch(slot: Slot): void {
    const channel = new MessageChannel();
    slot.port = channel.port1;
    slot.parked = false;
    channel.port1.on('message', (message: WorkerToMain) => {
      try {
        this.onMessage(slot, message);
      } catch (error) {
        this.crash(error);
      }
    });
    const start: WorkerStart = { workerId: slot.id, handler: this.options.handler, jobTimeoutMs: this.settings.jobTimeoutMs, port: channel.port2 as unknown as WorkerStart['port'] };
    const task = this.pool!.run(start, { transferList: [channel.port2] as never });
    slot.task = task;
    task.then(
      () => this.onSlotEnded(slot, undefined),
      (error: unknown) => this.onSlotEnded(slot, error),
    ).catch((error: unknown) => this.crash(error));
  }

  // ---- the claim loop ----

  private onMessage(slot: Slot, message: WorkerToMain): void {
    switch (message.type) {
      case 'ready':
        slot.requestedAt = performance.now();
        this.offer(slot, []).catch((error: unknown) => this.crash(error));
        return;
      case 'outcome':
        slot.requestedAt = performance.now();
        this.settleOutcome(slot, message);
        return;
      case 'unstarted':
        this.returnUnstarted(slot, message.jobIds);
        return;
      case 'handler-unusable':
        this.events.emit('warning', { message: `worker ${slot.id}: ${message.message}`, at: this.clock() });
        this.fatal('interrupted', `the handler could not be loaded in a worker thread: ${message.message}`);
        return;
    }
  }

  private settleOutcome(slot: Slot, message: Extract<WorkerToMain, { type: 'outcome' }>): void {
    const job = slot.jobs[0];
    if (!job || job.job_id !== message.jobId) {
      this.fatal('interrupted', `worker ${slot.id} reported job ${message.jobId}, which it was not running`);
      return;
    }
    slot.jobs.shift();
    const now = this.clock();
    const durationMs = Math.max(0, message.endedAt - message.startedAt);
    slot.averageJobMs = slot.averageJobMs === Infinity ? durationMs : slot.averageJobMs * 0.8 + durationMs * 0.2;
    const { outcome } = message;
    // The account stays busy until this outcome is on disk (G3), even though its claim is over.
    this.tracker.hold(job.account);
    let row: Job;
    let onDurable: () => void;
    if (outcome.ok) {
      row = this.tracker.succeed(job.job_id, now, outcome.postId);
      onDurable = () => this.events.emit('job-done', { job: row, workerId: slot.id, durationMs, at: this.clock() });
    } else if (this.graceExpired && outcome.error.timedOut) {
      // Aborted at shutdown while its handler may still be posting: we cannot know (G5).
      row = this.tracker.markUnconfirmed(job.job_id, now);
      onDurable = () => this.events.emit('job-unconfirmed', { job: row, workerId: slot.id, reason: 'aborted at shutdown', at: this.clock() });
    } else {
      row = this.tracker.fail(job.job_id, { now, failure: outcome.error, retryDelayMs: this.settings.retryDelayMs, ...(this.options.rules ? { rules: this.options.rules } : {}) });
      const retryAt = parseTime(row.retry_at) ?? now;
      const reported = row.status === 'retrying'
        ? () => this.events.emit('job-retrying', { job: row, workerId: slot.id, durationMs, retryAt, at: this.clock() })
        : () => this.events.emit('job-failed', { job: row, workerId: slot.id, durationMs, at: this.clock() });
      onDurable = () => {
        reported();
        this.news.failed(row);
      };
    }
    if (row.status === 'success' || row.status === 'failed') this.processed += 1;
    this.offer(slot, [row], () => {
      this.tracker.unhold(job.account);
      onDurable();
      // The account may have just reached its cap: its other jobs are skipped now, claim or no claim.
      this.emitCapSkips();
    }).catch((error: unknown) => this.crash(error));
  }

  /**
   * Tops up a worker's claims and makes `alsoCommit` and the new claims durable in one journal
   * write (group commit); only then reports the outcome and hands the jobs over (G3).
   */
  private async offer(slot: Slot, alsoCommit: Job[], afterDurable?: () => void): Promise<void> {
    const claims: Job[] = [];
    const depth = slot.averageJobMs < FAST_JOB_MS ? this.settings.maxPrefetch : 1;
    for (let want = depth - slot.jobs.length - slot.claiming; want > 0; want--) {
      const claim = this.claimFor(slot);
      if (!claim) break;
      claims.push(claim);
    }
    slot.claiming += claims.length;
    const rows = claims.length > 0 ? [...alsoCommit, ...claims] : alsoCommit;
    if (rows.length > 0) {
      this.pendingCommits += 1;
      try {
        await this.store.commit(rows);
      } catch (error) {
        this.fatal('storage-failed', `could not write the journal: ${errorMessage(error)}`);
        return;
      } finally {
        this.pendingCommits -= 1;
        slot.claiming -= claims.length;
      }
      this.maybeSnapshot();
    }
    afterDurable?.();
    if (claims.length > 0 && (this.stopping || slot.finished || !slot.port)) {
      // Stopped while the claims were being written: give them back unrun.
      await this.commitOrFail(claims.map((claim) => this.tracker.release(claim.job_id)));
    } else {
      for (const claim of claims) {
        if (this.options.measureClaimLatency) this.claimLatencies.push(performance.now() - slot.requestedAt);
        slot.jobs.push(claim);
        this.events.emit('job-claimed', { job: claim, workerId: slot.id, at: this.clock() });
        this.send(slot, { type: 'job', job: claim, attempt: claim.attempts + 1 });
      }
    }
    if (slot.jobs.length === 0 && slot.claiming === 0) this.park(slot);
    if (alsoCommit.length > 0) this.wakeParked();
  }

  /** Claims a stopping worker had queued but never started go back to pending. */
  private returnUnstarted(slot: Slot, jobIds: readonly string[]): void {
    const returned: Job[] = [];
    for (const jobId of jobIds) {
      const index = slot.jobs.findIndex((job) => job.job_id === jobId);
      if (index < 0) continue;
      slot.jobs.splice(index, 1);
      returned.push(this.tracker.release(jobId));
    }
    this.commitOrFail(returned).then(() => this.checkDone(), (error: unknown) => this.crash(error));
  }

  private async commitOrFail(rows: Job[]): Promise<void> {
    if (rows.length === 0) return;
    this.pendingCommits += 1;
    try {
      await this.store.commit(rows);
    } catch (error) {
      this.fatal('storage-failed', `could not write the journal: ${errorMessage(error)}`);
    } finally {
      this.pendingCommits -= 1;
      // checkDone does nothing while a commit is pending, so the last one looks again: an operator's
      // change written while every worker was parked may leave work that is due only later (a gap,
      // a retry), and without this nothing would arm the timer for it.
      if (this.pendingCommits === 0 && this.slots.length > 0) this.checkDone();
    }
  }

  private claimFor(slot: Slot): Job | undefined {
    if (this.paused || this.stopping) return undefined;
    const { job, capSkips } = this.tracker.claimNext({ workerId: slot.id, runId: this.runId, now: this.clock() });
    this.emitCapSkips(capSkips);
    if (job) {
      if (job.pass_number > this.passes && this.passes > 0) {
        // A new pass: the jobs the cap still holds back are skipped in this pass too, and said so once more.
        this.tracker.startCapPass();
        this.emitCapSkips();
      }
      this.passes = Math.max(this.passes, job.pass_number);
      this.news.claimed();
    }
    return job;
  }

  /** "Skipping job … at daily limit of N": once for every job the cap holds back in a pass. */
  private emitCapSkips(skips = this.tracker.takeCapSkips()): void {
    for (const skip of skips) this.events.emit('cap-skip', { ...skip, at: this.clock() });
  }

  private park(slot: Slot): void {
    if (slot.finished) {
      this.checkDone();
      return;
    }
    if (this.stopping) {
      this.send(slot, { type: 'stop' });
      slot.parked = true;
      this.checkDone();
      return;
    }
    if (!slot.parked) {
      slot.parked = true;
      this.events.emit('worker-idle', { workerId: slot.id, blockers: this.tracker.blockers(this.clock()), at: this.clock() });
    }
    this.checkDone();
  }

  private wakeParked(): void {
    if (this.paused || this.stopping) return;
    for (const slot of this.slots) {
      if (!slot.parked || slot.finished) continue;
      if (!this.tracker.claimableNow(this.clock())) break;
      slot.parked = false;
      slot.requestedAt = performance.now();
      this.offer(slot, []).catch((error: unknown) => this.crash(error));
    }
  }

  /** Ends the run, or waits for the next retry, once every worker is parked and nothing is claimable. */
  private checkDone(): void {
    if (this.endReason && !this.stopping) return;
    const busy = this.slots.some((slot) => slot.claiming > 0 || slot.jobs.length > 0 || (!slot.finished && !slot.parked));
    if (busy || this.pendingCommits > 0) return;
    if (this.stopping) {
      void this.finish();
      return;
    }
    if (this.paused) return;
    const now = this.clock();
    if (this.tracker.claimableNow(now)) {
      this.wakeParked();
      return;
    }
    const wakeAt = this.nextWake(now);
    if (wakeAt === undefined) {
      this.endReason = 'done';
      this.stopping = true;
      for (const slot of this.slots) this.send(slot, { type: 'stop' });
      void this.finish();
      return;
    }
    clearTimeout(this.retryTimer);
    // Timers may fire a little before the clock reaches the due time: look again, and re-arm if needed.
    this.retryTimer = setTimeout(() => {
      this.wakeParked();
      this.checkDone();
    }, Math.max(0, wakeAt - now) + 1);
  }

  /**
   * When work held back now may be claimed: a retry within --max-passes, the posting window
   * opening (if the run waits for it), the global rate limit, or a held account within the
   * longest wait. Undefined: nothing worth waiting for, the run ends.
   */
  private nextWake(now: number): number | undefined {
    const times: number[] = [];
    // Retries beyond --max-passes are left for a later run rather than waited for.
    const retry = this.tracker.nextRetryWithin(now, this.settings.maxPasses);
    if (retry) {
      times.push(retry.at);
      if (retry.attempt - 1 > this.announcedPass) {
        this.announcedPass = retry.attempt - 1;
        this.events.emit('pass-ended', { pass: this.announcedPass, nextRetryAt: retry.at, at: now });
      }
    }
    const global = this.tracker.heldGlobally(now);
    if (global?.rule === 'outside-window') {
      const ends = this.pacing.windows?.atEnd === 'end';
      this.news.outsideWindow(ends ? undefined : global.until);
      if (ends) return undefined;
    }
    if (global) times.push(global.until);
    const account = this.tracker.nextAccountAt(now);
    if (account !== undefined) {
      if (account - now <= this.pacing.maxWaitMs) times.push(account);
      else if (times.length === 0) {
        this.events.emit('warning', { message: `the next held account may post in ${formatDuration(account - now)}, longer than the longest wait (${formatDuration(this.pacing.maxWaitMs)}): ending the run; a later run picks its jobs up`, at: now });
      }
    }
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  // ---- failures of threads and storage ----

  private onSlotEnded(slot: Slot, error: unknown): void {
    if (this.poolClosing) {
      slot.finished = true;
      return;
    }
    // Messages on our port may still be queued behind the task's end: hear them out first.
    if (slot.port) {
      for (let next = receiveMessageOnPort(slot.port); next; next = receiveMessageOnPort(slot.port)) {
        this.onMessage(slot, next.message as WorkerToMain);
      }
    }
    // A thread runs its claims in order, but an outcome posted just before it died may be lost:
    // any claim it still held may have posted (G5).
    const held = slot.jobs.splice(0);
    slot.port?.close();
    slot.port = undefined;
    if (error === undefined && held.length === 0) {
      slot.finished = true;
      this.checkDone();
      return;
    }
    if (error !== undefined) this.events.emit('worker-died', { workerId: slot.id, message: errorMessage(error), at: this.clock() });
    if (held.length > 0 && !this.endReason?.match(/storage|lock/)) {
      const rows = held.map((job) => this.tracker.markUnconfirmed(job.job_id, this.clock()));
      this.commitOrFail(rows).then(() => {
        const reason = error === undefined ? 'its worker ended without reporting it' : 'worker thread died mid-job';
        for (const row of rows) this.events.emit('job-unconfirmed', { job: row, workerId: slot.id, reason, at: this.clock() });
        this.relaunchOrRetire(slot, false);
      }, (commitError: unknown) => this.crash(commitError));
      return;
    }
    this.relaunchOrRetire(slot, true);
  }

  private relaunchOrRetire(slot: Slot, withoutJob: boolean): void {
    slot.diedWithoutJob = withoutJob ? slot.diedWithoutJob + 1 : 0;
    if (this.stopping || slot.diedWithoutJob >= 3) {
      if (slot.diedWithoutJob >= 3) this.events.emit('warning', { message: `worker ${slot.id} keeps dying before taking a job; retiring it`, at: this.clock() });
      slot.finished = true;
      if (this.slots.every((s) => s.finished) && !this.stopping) this.fatal('interrupted', 'every worker thread died');
      this.checkDone();
      return;
    }
    this.launch(slot);
  }

  private fatal(reason: EndReason, message: string): void {
    if (this.endReason === 'storage-failed' || this.endReason === 'lock-lost') return;
    this.events.emit('warning', { message, at: this.clock() });
    this.endReason = reason;
    if (!this.stopping) this.stop(message);
    // Nothing more can be made durable: end now, without waiting for jobs in flight.
    if (reason === 'storage-failed' || reason === 'lock-lost') void this.finish();
  }


  private maybeSnapshot(): void {
    if (this.store.shouldSnapshot(this.tracker.size, this.clock())) this.requestSnapshot();
  }

  private requestSnapshot(): void {
    this.snapshotRequested = true;
    void this.writeSnapshots();
  }

  /** One snapshot at a time; a request made during one is served by the next turn of the loop. */
  private async writeSnapshots(): Promise<void> {
    if (this.snapshotting) return;
    this.snapshotting = true;
    try {
      while (this.snapshotRequested && !this.crashed && !this.finishing) {
        this.snapshotRequested = false;
        // An edit already on disk is merged before daycap replaces the file (G7).
        await this.edits?.settle();
        // The run may have failed (storage, lock) while that merge was awaited: then no new snapshot.
        if (this.crashed || this.finishing) break;
        const rows = this.tracker.all();
        await this.store.snapshot(rows);
        this.edits?.noteOwnWrite();
        this.events.emit('ledger-written', { kind: 'snapshot', rows: rows.length, at: this.clock() });
      }
    } catch (error) {
      this.fatal('storage-failed', `could not write the ledger: ${errorMessage(error)}`);
    } finally {
      this.snapshotting = false;
    }
  }

  /**
   * Found by test/faults/disk-faults.test.ts: after a storage failure the tracker holds transitions
   * the disk refused (a success whose journal sync failed, claims never written), and the run's
   * summary reported them as if saved. Count what the ledger holds instead (CSV + journal, read back
   * read-only); only if even that read fails, fall back to memory.
   */
  private async durableCounts(): Promise<StatusCounts> {
    try {
      const counts = zeroCounts();
      for (const job of (await readLedgerView(this.options.ledger)).jobs) counts[job.status] += 1;
      return counts;
    } catch {
      return this.tracker.statusCounts();
    }
  }

  private finishing: Promise<void> | undefined;
  private finish(): Promise<void> {
    this.finishing ??= this.doFinish();
    return this.finishing;
  }

  private async doFinish(): Promise<void> {
    clearTimeout(this.retryTimer);
    clearTimeout(this.graceTimer);
    await this.control?.close().catch(() => undefined);
    try {
      for (const slot of this.slots) this.send(slot, { type: 'stop' });
      // Let the loops end by themselves (a stopped worker finishes at once); only then end the pool.
      this.poolClosing = true;
      await Promise.race([Promise.allSettled(this.slots.map((slot) => slot.task)), delay(2000)]);
      await this.pool?.destroy().catch(() => undefined);
      let reason = this.endReason ?? 'done';
      const writable = reason !== 'storage-failed' && reason !== 'lock-lost';
      // Jobs still marked in flight belong to threads we just stopped: their fate is unknown.
      const leftovers: Job[] = [];
      for (const slot of this.slots) {
        if (writable) for (const job of slot.jobs) leftovers.push(this.tracker.markUnconfirmed(job.job_id, this.clock()));
        slot.jobs = [];
      }
      while (this.snapshotting) await new Promise((resolve) => setTimeout(resolve, 5));
      if (writable) {
        try {
          if (leftovers.length > 0) {
            await this.store.commit(leftovers);
            for (const job of leftovers) this.events.emit('job-unconfirmed', { job, workerId: Number(job.worker_id), reason: 'its worker was stopped before it reported', at: this.clock() });
          }
          await this.edits?.settle().catch((error: unknown) => this.events.emit('warning', { message: `reading an outside edit failed: ${errorMessage(error)}`, at: this.clock() }));
          await this.store.close(this.tracker.all(), this.runId);
          this.edits?.noteOwnWrite();
          await this.edits?.close();
          this.events.emit('ledger-written', { kind: 'snapshot', rows: this.tracker.size, at: this.clock() });
        } catch (error) {
          // Found by test/faults/disk-faults.test.ts: a disk fault in the end-of-run snapshot or journal
          // seal used to reject run() (a "bug", exit 70, no run-ended). It is a storage failure like any
          // other: the old CSV is intact (atomic write) and the journal, left active, holds every change
          // for the next start. Say so and end with exit code 5.
          const lost = this.store.lock?.compromised === true;
          if (!lost && !isStorageFailure(error)) throw error;
          this.fatal(lost ? 'lock-lost' : 'storage-failed', `could not write the ledger: ${errorMessage(error)}`);
          reason = this.endReason ?? 'storage-failed';
          await this.edits?.close().catch(() => undefined);
          await this.store.close(undefined, this.runId).catch(() => undefined);
        }
      } else {
        await this.edits?.close().catch(() => undefined);
        await this.store.close(undefined, this.runId).catch(() => undefined);
      }
      const summary: RunSummary = {
        runId: this.runId, ledger: this.options.ledger, counts: reason === 'storage-failed' ? await this.durableCounts() : this.tracker.statusCounts(), unassigned: this.tracker.unassigned,
        jobs: this.tracker.size, startedAt: this.startedAt, endedAt: this.clock(), passes: this.passes, processed: this.processed,
      };
      const exitCode = exitCodeFor(reason, summary);
      this.emitCapSkips();
      for (const hook of this.endHooks) await hook();
      this.events.emit('run-ended', { summary, reason, exitCode, at: this.clock() });
      this.finished({ summary, exitCode, reason });
    } catch (error) {
      await this.store.close(undefined, this.runId).catch(() => undefined);
      this.failed(error);
    }
  }

  /**
   * A bug in the runner itself: stop at once and reject run(). The journal keeps every change
   * made durable so far; it is left active so the next start folds it into the CSV.
   */
  private crashed = false;
  private crash(error: unknown): void {
    if (this.crashed) return;
    this.crashed = true;
    this.stopping = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.graceTimer);
    void (async () => {
      await this.edits?.close().catch(() => undefined);
      await this.control?.close().catch(() => undefined);
      await this.pool?.destroy().catch(() => undefined);
      await this.store.close(undefined, this.runId).catch(() => undefined);
      this.failed(error);
    })();
  }

  private send(slot: Slot, message: MainToWorker): void {
    slot.port?.postMessage(message);
  }
}

export function unfreezeMessage(account: string, rows: readonly Job[], retry: boolean): string {
  if (rows.length === 0) return `account ${account} is not frozen`;
  return `account ${account} unfrozen: ${rows.length} failed job${rows.length === 1 ? '' : 's'} ${retry ? 'back to pending' : 'skipped'}; its pending jobs may be claimed again`;
}

async function loadHandlerForRun(spec: HandlerSpec): Promise<LoadedHandler> {
  try {
    return await loadHandler(spec);
  } catch (error) {
    if (error instanceof DaycapError) throw error;
    throw new HandlerError(errorMessage(error), { cause: error, hint: 'Check the --handler option: a path to a .js/.mjs module with a default export, `simulate`, or `command:<program> [args…]`.' });
  }
}

/** An error of the file layer (a StorageError, or a raw fs error such as EIO from creating a folder), not a bug. */
function isStorageFailure(error: unknown): boolean {
  return error instanceof StorageError || (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export { EXIT };

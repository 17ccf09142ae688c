/**
 * The dispatch loop: a worker reports (ready, an outcome) → one store exchange settles the report
 * and claims its next jobs durably → the events are told → the claims are handed over. A worker
 * that gets nothing parks; when every worker is parked the loop asks the store what is left and
 * waits for it, or ends the day. docs/design.md#the-path-of-a-claim walks through it.
 */
import type { Job } from '../core/job.js';
import { parseTime } from '../core/time.js';
import type { WorkerToMain } from '../protocol.js';
import type { Report, Store } from '../store/store.js';
import type { RunEventStream } from './events.js';
import { tellAccountNews, tellCapSkips, WindowNews } from './news.js';
import { nextWake } from './next-wake.js';
import type { Slot, WorkerSlots } from './slots.js';
import type { RunFlow } from './flow.js';

/** Jobs quicker than this (ms, on average) are worth queueing behind each other. */
const FAST_JOB_MS = 5;

export interface DispatchContext {
  store: Store;
  events: RunEventStream;
  slots: WorkerSlots;
  flow: RunFlow;
  clock: () => number;
  runId: string;
  maxPrefetch: number;
  maxPasses: number;
  maxWaitMs: number;
  /** The posting window ends the run instead of being waited for. */
  windowEnds: boolean;
  /** How often to look again while other runs of a shared ledger hold claims. */
  othersPollMs?: number | undefined;
  claimLatencies: number[] | undefined;
  /** Every worker is parked and nothing is left now or later. */
  onDayDone: () => void;
}

/** What to tell subscribers once a report is durable, besides the row itself. */
interface Telling {
  workerId: number;
  durationMs: number;
  /** For a job made unconfirmed: why its fate is unknown. */
  reason?: string;
}

export class Dispatcher {
  /** The highest attempt number claimed in this run: the seed system's "pass". */
  passes = 0;
  /** Jobs finished (success or final failure) during this run. */
  processed = 0;
  /** Jobs whose report the store could not record (it can no longer write): they stay claimed. */
  readonly unrecorded: string[] = [];
  private announcedPass = 0;
  private wakeTimer: NodeJS.Timeout | undefined;
  private checking = false;
  private checkAgain = false;
  readonly window: WindowNews;

  constructor(private readonly ctx: DispatchContext) {
    this.window = new WindowNews(ctx.events, ctx.clock);
  }

  onMessage(slot: Slot, message: WorkerToMain): void {
    switch (message.type) {
      case 'ready':
        slot.requestedAt = performance.now();
        this.turn(slot, []);
        return;
      case 'outcome':
        slot.requestedAt = performance.now();
        this.onOutcome(slot, message);
        return;
      case 'unstarted': {
        const ids = new Set(message.jobIds);
        const unstarted = slot.jobs.filter((job) => ids.has(job.job_id));
        slot.jobs = slot.jobs.filter((job) => !ids.has(job.job_id));
        this.turn(slot, unstarted.map((job) => ({ kind: 'unstarted', jobId: job.job_id })));
        return;
      }
      case 'handler-unusable':
        this.ctx.events.emit('warning', { message: `worker ${slot.id}: ${message.message}`, at: this.ctx.clock() });
        this.ctx.flow.fatal('interrupted', `the handler could not be loaded in a worker thread: ${message.message}`);
        return;
    }
  }

  private onOutcome(slot: Slot, message: Extract<WorkerToMain, { type: 'outcome' }>): void {
    const job = slot.jobs[0];
    if (!job || job.job_id !== message.jobId) {
      this.ctx.flow.fatal('interrupted', `worker ${slot.id} reported job ${message.jobId}, which it was not running`);
      return;
    }
    slot.jobs.shift();
    const durationMs = Math.max(0, message.endedAt - message.startedAt);
    slot.averageJobMs = slot.averageJobMs === Infinity ? durationMs : slot.averageJobMs * 0.8 + durationMs * 0.2;
    const { outcome } = message;
    // Aborted at shutdown while its handler may still be posting: we cannot know (G5).
    const abandoned = this.ctx.flow.graceExpired && !outcome.ok && outcome.error.timedOut === true;
    const report: Report = abandoned ? { kind: 'abandoned', jobId: job.job_id } : { kind: 'outcome', jobId: job.job_id, outcome };
    this.turn(slot, [report], [{ workerId: slot.id, durationMs, reason: 'aborted at shutdown' }]);
  }

  /**
   * One exchange with the store for a worker: its reports settled and its next claims made, in one
   * durable step; then subscribers hear of both and the worker gets its jobs (G3).
   */
  turn(slot: Slot, reports: Report[], tellings: Telling[] = []): Promise<void> {
    const { flow, store } = this.ctx;
    const depth = slot.averageJobMs < FAST_JOB_MS ? this.ctx.maxPrefetch : 1;
    const want = flow.claiming && !slot.finished && slot.port ? Math.max(0, depth - slot.jobs.length - slot.claiming) : 0;
    if (reports.length === 0 && want === 0) {
      this.park(slot);
      return Promise.resolve();
    }
    slot.turns += 1;
    slot.claiming += want;
    return store.exchange({ runId: this.ctx.runId, workerId: slot.id, now: this.ctx.clock(), reports, want }).then(
      (result) => {
        slot.turns -= 1;
        slot.claiming -= want;
        result.settled.forEach((row, i) => this.tellSettled(row, reports[i]!, tellings[i] ?? { workerId: slot.id, durationMs: 0 }));
        tellAccountNews(this.ctx.events, result.news, result.settled, this.ctx.clock());
        tellCapSkips(this.ctx.events, result.capSkips, this.ctx.clock());
        this.handOver(slot, result.claimed.map((claim) => ({ job: claim.job, from: claim.from })));
        if (reports.length > 0) this.wakeParked();
      },
      // The store has said why (a 'failed' news item ends the run); nothing more is handed out.
      () => {
        slot.turns -= 1;
        slot.claiming -= want;
        this.unrecorded.push(...reports.map((report) => report.jobId));
        this.checkIdle();
      },
    ).catch((error: unknown) => flow.crash(error));
  }

  private tellSettled(row: Job, report: Report, telling: Telling): void {
    const { events, clock } = this.ctx;
    const base = { job: row, workerId: telling.workerId, at: clock() };
    if (row.status === 'success' || row.status === 'failed') this.processed += 1;
    if (report.kind === 'unstarted') return;
    if (row.status === 'success') events.emit('job-done', { ...base, durationMs: telling.durationMs });
    else if (row.status === 'retrying') events.emit('job-retrying', { ...base, durationMs: telling.durationMs, retryAt: parseTime(row.retry_at) ?? base.at });
    else if (row.status === 'failed') events.emit('job-failed', { ...base, durationMs: telling.durationMs });
    else if (row.status === 'unconfirmed') events.emit('job-unconfirmed', { ...base, reason: telling.reason ?? 'its worker ended without reporting it' });
  }

  private handOver(slot: Slot, claims: Array<{ job: Job; from: Job['status'] }>): void {
    if (claims.length > 0 && (!this.ctx.flow.claiming || slot.finished || !slot.port)) {
      // Stopped while the claims were being written: give them back unrun.
      this.turn(slot, claims.map(({ job }) => ({ kind: 'unstarted', jobId: job.job_id })));
      return;
    }
    for (const { job, from } of claims) {
      this.passes = Math.max(this.passes, job.pass_number);
      this.ctx.claimLatencies?.push(performance.now() - slot.requestedAt);
      slot.jobs.push(job);
      slot.idleTold = false;
      this.ctx.events.emit('job-claimed', { job, from, workerId: slot.id, at: this.ctx.clock() });
      this.ctx.slots.send(slot, { type: 'job', job, attempt: job.attempts + 1 });
    }
    if (claims.length > 0) this.window.claimed();
    if (slot.jobs.length === 0 && slot.claiming === 0) this.park(slot);
  }

  private park(slot: Slot): void {
    if (!slot.finished && this.ctx.flow.stopping) this.ctx.slots.send(slot, { type: 'stop' });
    if (!slot.finished) slot.parked = true;
    if (!slot.finished && !this.ctx.flow.stopping && !slot.idleTold) {
      slot.idleTold = true;
      const at = this.ctx.clock();
      void this.ctx.store.blockers(at).then((blockers) => this.ctx.events.emit('worker-idle', { workerId: slot.id, blockers, at }), () => undefined);
    }
    this.checkIdle();
  }

  /** Gives parked workers a turn when something may be claimable now. */
  wakeParked(): void {
    const { flow, slots, store, clock } = this.ctx;
    if (!flow.claiming || !slots.all.some((slot) => slot.parked && !slot.finished)) return;
    void store.outlook(clock(), this.ctx.maxPasses).then((outlook) => {
      if (!outlook.claimable || !flow.claiming) return;
      for (const slot of slots.all) {
        if (!slot.parked || slot.finished) continue;
        slot.parked = false;
        slot.requestedAt = performance.now();
        this.turn(slot, []);
      }
    }, (error: unknown) => flow.crash(error));
  }

  /** Once every worker is parked: wake them if work is claimable, wait for work due later, or end the day. */
  checkIdle(): void {
    const { flow, slots } = this.ctx;
    if (slots.busy || flow.ended) return;
    if (flow.stopping) {
      flow.finish();
      return;
    }
    if (flow.paused) return;
    if (this.checking) {
      this.checkAgain = true;
      return;
    }
    this.checking = true;
    void this.lookAhead().catch((error: unknown) => flow.crash(error)).finally(() => {
      this.checking = false;
      if (this.checkAgain) {
        this.checkAgain = false;
        this.checkIdle();
      }
    });
  }

  private async lookAhead(): Promise<void> {
    const { flow, slots, clock } = this.ctx;
    const now = clock();
    const outlook = await this.ctx.store.outlook(now, this.ctx.maxPasses);
    // Work may have started while the store was asked.
    if (slots.busy || flow.ended || flow.stopping || flow.paused) return this.checkIdle();
    if (outlook.claimable) return this.wakeParked();
    if (outlook.retry && outlook.retry.attempt - 1 > this.announcedPass) {
      this.announcedPass = outlook.retry.attempt - 1;
      this.ctx.events.emit('pass-ended', { pass: this.announcedPass, nextRetryAt: outlook.retry.at, at: now });
    }
    if (outlook.global?.rule === 'outside-window') this.window.closed(this.ctx.windowEnds ? undefined : outlook.global.until);
    const wake = nextWake(outlook, now, { windowEnds: this.ctx.windowEnds, maxWaitMs: this.ctx.maxWaitMs, ...(this.ctx.othersPollMs === undefined ? {} : { othersPollMs: this.ctx.othersPollMs }) });
    if (wake.warning) this.ctx.events.emit('warning', { message: wake.warning, at: now });
    if (wake.at === undefined) return this.ctx.onDayDone();
    clearTimeout(this.wakeTimer);
    // Timers may fire a little before the clock reaches the due time: look again, and re-arm if needed.
    this.wakeTimer = setTimeout(() => {
      this.wakeParked();
      this.checkIdle();
    }, Math.max(0, wake.at - now) + 1);
  }

  /** A worker loop ended: a claim it still held may have posted (G5); the thread is started again. */
  async onSlotEnded(slot: Slot, error: unknown): Promise<void> {
    const held = slot.jobs.splice(0);
    if (error === undefined && held.length === 0) {
      slot.finished = true;
      this.checkIdle();
      return;
    }
    const { events, clock } = this.ctx;
    if (error !== undefined) events.emit('worker-died', { workerId: slot.id, message: error instanceof Error ? error.message : String(error), at: clock() });
    if (held.length > 0) {
      const reason = error === undefined ? 'its worker ended without reporting it' : 'worker thread died mid-job';
      await this.turn(slot, held.map((job) => ({ kind: 'lost', jobId: job.job_id })), held.map(() => ({ workerId: slot.id, durationMs: 0, reason })));
    }
    this.relaunchOrRetire(slot, held.length === 0);
  }

  private relaunchOrRetire(slot: Slot, withoutJob: boolean): void {
    const { flow, slots, events, clock } = this.ctx;
    slot.diedWithoutJob = withoutJob ? slot.diedWithoutJob + 1 : 0;
    if (!flow.stopping && slot.diedWithoutJob < 3) {
      slots.launch(slot);
      return;
    }
    if (slot.diedWithoutJob >= 3) events.emit('warning', { message: `worker ${slot.id} keeps dying before taking a job; retiring it`, at: clock() });
    slot.finished = true;
    if (slots.all.every((s) => s.finished) && !flow.stopping) flow.fatal('interrupted', 'every worker thread died');
    this.checkIdle();
  }

  stopTimers(): void {
    clearTimeout(this.wakeTimer);
  }
}

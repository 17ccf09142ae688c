/**
 * What the live screen knows about a run, built only from the runner's events (never its
 * internals). A mutable class rather than a copying reducer: the runner emits 5,000+ events a
 * second and each `apply` must cost a few map operations, not a fresh state object. No React, no
 * timers, no clock: every time comes from the events or is passed in.
 */
import { CAPPED_STATUSES, isStatus, zeroCounts, type Job, type Status, type StatusCounts } from '../core/job.js';
import type { AccountSummary, Blockers } from '../core/tracker.js';
import type { EndReason, RunEvent, RunSummary } from '../runner/events.js';
import { formatEvent } from '../runner/log.js';
import { baseName, oneLine } from './text.js';

export interface RunHeader {
  runId: string;
  ledger: string;
  workers: number;
  cap: number;
  handler: string;
  startedAt: number;
}

export type WorkerState =
  | { kind: 'starting' }
  /** Running a job. */
  | { kind: 'busy'; jobId: string; account: string; video: string; since: number }
  /** Reported a result; its next claim (or its idle reason) follows once the result is on disk. */
  | { kind: 'between'; since: number }
  | { kind: 'idle'; blockers: Blockers; since: number }
  | { kind: 'died'; message: string; since: number };

export type FailureOutcome = 'failed' | 'retrying' | 'unconfirmed';

export interface FailureLine {
  seq: number;
  at: number;
  jobId: string;
  account: string;
  video: string;
  workerId: number;
  outcome: FailureOutcome;
  category: string;
  type: string;
  message: string;
  /** Attempts used so far, including this one. */
  attempts: number;
  maxAttempts: number;
  retryAt: number | undefined;
}

export type NoteTone = 'info' | 'warn' | 'bad';

export interface NoteLine {
  seq: number;
  at: number;
  tone: NoteTone;
  text: string;
}

/** A line that left the live part; the App prints it once above it (Ink's <Static>). */
export type ScrolledLine =
  | { kind: 'failure'; failure: FailureLine }
  | { kind: 'note'; note: NoteLine }
  | { kind: 'dropped'; count: number; seq: number };

export interface AccountView {
  name: string;
  /** Jobs counting toward the cap (success + claimed + unconfirmed), as far as the events tell. */
  counted: number;
  inFlight: boolean;
  posts: number;
  failures: number;
  lastError: string;
  lastErrorAt: number;
  /** The last failure was of the `account` category (suspended, logged out, ...). */
  accountError: boolean;
}

export interface FailureTally {
  category: string;
  type: string;
  /** Failed for good. */
  final: number;
  /** Failed and will be retried. */
  retried: number;
  unconfirmed: number;
}

export interface RunEnd {
  summary: RunSummary;
  reason: EndReason;
  exitCode: number;
  at: number;
}

export interface RunViewOptions {
  /** Failure lines kept in the live part before they scroll into the terminal's scrollback. */
  liveFailures?: number;
  /** Event lines kept in the live part. */
  liveNotes?: number;
  /** Failures and events remembered for the detail views. */
  keep?: number;
  /** Scrolled lines waiting to be printed; beyond this they are counted, not kept (a burst of failures). */
  backlog?: number;
}

const HISTORY_MINUTES = 20;
const RATE_WINDOW_MINUTES = 5;
const MINUTE = 60_000;

/** Jobs finished per wall-clock minute, the last 20 minutes, in a ring. */
class Throughput {
  private readonly buckets = new Array<number>(HISTORY_MINUTES).fill(0);
  private minute = Number.NEGATIVE_INFINITY;

  add(at: number): void {
    const m = Math.floor(at / MINUTE);
    this.advance(m);
    // An event stamped in a minute we already left still counts, in its own bucket if we kept it.
    const back = this.minute - m;
    if (back < HISTORY_MINUTES) this.buckets[mod(m, HISTORY_MINUTES)]! += 1;
  }

  private advance(m: number): void {
    if (m <= this.minute) return;
    const gap = Math.min(HISTORY_MINUTES, m - this.minute);
    for (let i = 1; i <= gap; i++) this.buckets[mod(m - gap + i, HISTORY_MINUTES)] = 0;
    this.minute = m;
  }

  private at(m: number): number {
    if (m > this.minute || this.minute - m >= HISTORY_MINUTES) return 0;
    return this.buckets[mod(m, HISTORY_MINUTES)]!;
  }

  /** Jobs per minute, oldest first, from the run's first minute (at most 20) to `now`'s. */
  series(now: number, startedAt: number): number[] {
    const last = Math.floor(now / MINUTE);
    const first = Math.max(Math.floor(startedAt / MINUTE), last - HISTORY_MINUTES + 1);
    const out: number[] = [];
    for (let m = first; m <= last; m++) out.push(this.at(m));
    return out;
  }

  /** Jobs per minute over the last five minutes (or since the start, if sooner). */
  rate(now: number, startedAt: number): number {
    const last = Math.floor(now / MINUTE);
    const from = Math.max(startedAt, (last - RATE_WINDOW_MINUTES + 1) * MINUTE);
    let n = 0;
    for (let m = Math.floor(from / MINUTE); m <= last; m++) n += this.at(m);
    const minutes = (now - from) / MINUTE;
    // Under five seconds of history a rate is noise.
    return minutes < 1 / 12 ? 0 : n / minutes;
  }
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}

/** The job's video as the operator knows it: its file name. */
function videoName(job: Job): string {
  return job.video_path ? baseName(job.video_path) : job.job_id;
}

export class RunView {
  header: RunHeader | undefined;
  counts: StatusCounts = zeroCounts();
  /** Jobs in the ledger. */
  total = 0;
  workers: WorkerState[] = [];
  paused = false;
  stopping: { reason: string; graceMs: number; at: number } | undefined;
  ended: RunEnd | undefined;
  /** The latest blockers a worker reported (for jobs without an account). */
  lastBlockers: Blockers | undefined;
  /** Jobs finished (success or final failure) during this run. */
  processed = 0;
  /** Failed attempts during this run, retried or not. */
  failedAttempts = 0;
  /** Every account seen, from run-started (if it lists them) and from job events. */
  readonly accounts = new Map<string, AccountView>();
  atCap = 0;
  inFlight = 0;
  withAccountErrors = 0;
  /** Whether run-started listed every account (else the account count is "seen so far"). */
  accountsComplete = false;
  readonly tallies = new Map<string, FailureTally>();
  /** The last failures and events, newest last. */
  readonly failures: FailureLine[] = [];
  readonly notes: NoteLine[] = [];
  failureCount = 0;
  noteCount = 0;

  private readonly liveFailureCount: number;
  private readonly liveNoteCount: number;
  private readonly keep: number;
  private readonly backlog: number;
  /** Last known status of jobs that are not settled (claimed, retrying, unconfirmed); bounded by work in flight. */
  private readonly jobStatus = new Map<string, Status>();
  /** Jobs passed over because their account is at the cap: they stay pending today. */
  private readonly heldByCap = new Set<string>();
  /** Retrying jobs from before this run, not yet claimed (to tell a retry from a pending job on claim). */
  private initialRetryingLeft = 0;
  private readonly throughput = new Throughput();
  private scrolled: ScrolledLine[] = [];
  private droppedLines = 0;
  private liveCleared = false;
  private seq = 0;

  constructor(options: RunViewOptions = {}) {
    this.liveFailureCount = options.liveFailures ?? 3;
    this.liveNoteCount = options.liveNotes ?? 3;
    this.keep = Math.max(options.keep ?? 50, this.liveFailureCount, this.liveNoteCount);
    this.backlog = options.backlog ?? 50;
  }

  get cap(): number {
    return this.header?.cap ?? 1;
  }

  get startedAt(): number | undefined {
    return this.header?.startedAt;
  }

  /** Pending jobs held back by the cap (they cannot run today). */
  get heldAtCap(): number {
    return this.heldByCap.size;
  }

  /** Pending jobs with no account (never claimed), as last reported. */
  get unassigned(): number {
    return this.ended?.summary.unassigned ?? this.lastBlockers?.unassigned ?? 0;
  }

  /** Jobs this run can still work on: claimable pending, in flight, waiting to retry. */
  get remaining(): number {
    const c = this.counts;
    return Math.max(0, c.pending - this.heldAtCap - this.unassigned) + c.claimed + c.retrying;
  }

  /** Jobs settled as far as this run can take them (the progress bar's numerator). */
  get done(): number {
    return Math.max(0, this.total - this.remaining);
  }

  apply(event: RunEvent): void {
    switch (event.type) {
      case 'run-started':
        this.header = { runId: event.runId, ledger: event.ledger, workers: event.workers, cap: event.cap, handler: event.handler, startedAt: event.at };
        this.total = event.jobs;
        this.counts = { ...event.counts };
        this.initialRetryingLeft = event.counts.retrying;
        this.workers = Array.from({ length: event.workers }, () => ({ kind: 'starting' }) as WorkerState);
        this.seedAccounts((event as { accounts?: readonly AccountSummary[] }).accounts);
        return;
      case 'job-claimed': {
        const { job } = event;
        const hinted = (event as { from?: string }).from;
        const from = this.jobStatus.get(job.job_id) ?? (hinted !== undefined && isStatus(hinted) ? hinted : this.guessClaimedFrom(job));
        this.move(from, 'claimed');
        this.jobStatus.set(job.job_id, 'claimed');
        this.heldByCap.delete(job.job_id);
        const account = this.account(job.account);
        if (!CAPPED_STATUSES.has(from)) this.setCounted(account, account.counted + 1);
        this.setInFlight(account, true);
        this.setWorker(event.workerId, { kind: 'busy', jobId: job.job_id, account: job.account, video: videoName(job), since: event.at });
        return;
      }
      case 'job-done': {
        const account = this.settle(event.job, 'success', event.workerId, event.at);
        account.posts += 1;
        this.processed += 1;
        this.throughput.add(event.at);
        return;
      }
      case 'job-failed':
        this.settle(event.job, 'failed', event.workerId, event.at);
        this.processed += 1;
        this.throughput.add(event.at);
        this.recordFailure(event.job, event.workerId, 'failed', event.job.error, undefined, event.at);
        return;
      case 'job-retrying':
        this.settle(event.job, 'retrying', event.workerId, event.at);
        this.recordFailure(event.job, event.workerId, 'retrying', event.job.error, event.retryAt, event.at);
        return;
      case 'job-unconfirmed':
        this.settle(event.job, 'unconfirmed', event.workerId, event.at);
        this.recordFailure(event.job, event.workerId, 'unconfirmed', event.reason, undefined, event.at);
        return;
      case 'cap-skip':
        this.heldByCap.add(event.jobId);
        return;
      case 'worker-idle':
        this.lastBlockers = event.blockers;
        this.setWorker(event.workerId, { kind: 'idle', blockers: event.blockers, since: event.at });
        return;
      case 'worker-died':
        this.setWorker(event.workerId, { kind: 'died', message: oneLine(event.message), since: event.at });
        this.note(event, 'bad');
        return;
      case 'ledger-written':
        return;
      case 'paused':
        this.paused = event.paused;
        this.note(event, 'info');
        return;
      case 'stopping':
        this.stopping = { reason: event.reason, graceMs: event.graceMs, at: event.at };
        this.note(event, 'warn');
        return;
      case 'recovered':
        this.note(event, event.unconfirmed > event.posted + event.notPosted ? 'warn' : 'info');
        return;
      case 'pass-ended':
        this.note(event, 'info');
        return;
      case 'external-edit':
        this.note(event, event.refused > 0 ? 'warn' : 'info');
        this.adoptTotals(event);
        return;
      case 'warning':
        this.note(event, 'warn');
        return;
      case 'run-ended':
        this.ended = { summary: event.summary, reason: event.reason, exitCode: event.exitCode, at: event.at };
        this.counts = { ...event.summary.counts };
        this.total = event.summary.jobs;
        this.scrollEverything();
        return;
    }
  }

  // ---- what the components read ----

  /** Failures still shown in the live part, oldest first. */
  liveFailures(): FailureLine[] {
    return this.liveCleared ? [] : this.failures.slice(-this.liveFailureCount);
  }

  liveNotes(): NoteLine[] {
    return this.liveCleared ? [] : this.notes.slice(-this.liveNoteCount);
  }

  /** Lines that left the live part since the last call, oldest first, with a count of any dropped in a burst. */
  takeScrolled(): ScrolledLine[] {
    if (this.scrolled.length === 0 && this.droppedLines === 0) return [];
    const out = this.scrolled;
    this.scrolled = [];
    if (this.droppedLines > 0) {
      out.push({ kind: 'dropped', count: this.droppedLines, seq: ++this.seq });
      this.droppedLines = 0;
    }
    return out;
  }

  /** Jobs finished per minute, oldest first (the sparkline). */
  perMinute(now: number): number[] {
    return this.header ? this.throughput.series(now, this.header.startedAt) : [];
  }

  /** Jobs finished per minute lately. */
  rate(now: number): number {
    return this.header ? this.throughput.rate(now, this.header.startedAt) : 0;
  }

  /** Time left at the recent rate, or undefined when there is no rate yet or nothing left. */
  etaMs(now: number): number | undefined {
    if (this.ended) return undefined;
    const remaining = this.remaining;
    const rate = this.rate(now);
    if (remaining === 0 || rate <= 0) return undefined;
    return (remaining / rate) * MINUTE;
  }

  elapsedMs(now: number): number {
    if (!this.header) return 0;
    const end = this.ended ? this.ended.summary.endedAt : now;
    return Math.max(0, end - this.header.startedAt);
  }

  /** Accounts for the `a` view: account errors first, then those in flight, then the most recently failed. */
  accountRows(): AccountView[] {
    return [...this.accounts.values()].sort((a, b) =>
      Number(b.accountError) - Number(a.accountError) ||
      Number(b.inFlight) - Number(a.inFlight) ||
      b.lastErrorAt - a.lastErrorAt ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Failure counts by category/type, most frequent first. */
  failureTallies(): FailureTally[] {
    return [...this.tallies.values()].sort((a, b) => (b.final + b.retried + b.unconfirmed) - (a.final + a.retried + a.unconfirmed));
  }

  // ---- internals ----

  private move(from: Status, to: Status): void {
    if (this.counts[from] > 0) this.counts[from] -= 1;
    this.counts[to] += 1;
  }

  /**
   * A claim does not say whether the job was pending or waiting to retry. A job that failed during
   * this run is in `jobStatus`; one that was retrying when the run started has used attempts and
   * kept its error, which a pending job usually has not.
   */
  private guessClaimedFrom(job: Job): Status {
    if (this.initialRetryingLeft > 0 && this.counts.retrying > 0 && job.attempts > 0 && job.error !== '') {
      this.initialRetryingLeft -= 1;
      return 'retrying';
    }
    if (this.counts.pending > 0 || this.counts.retrying === 0) return 'pending';
    this.initialRetryingLeft = Math.max(0, this.initialRetryingLeft - 1);
    return 'retrying';
  }

  /** A claim ended (posted, failed, retrying, unconfirmed): counts, its account and its worker. */
  private settle(job: Job, to: Status, workerId: number, at: number): AccountView {
    const from = this.jobStatus.get(job.job_id) ?? 'claimed';
    this.move(from, to);
    if (to === 'success' || to === 'failed') this.jobStatus.delete(job.job_id);
    else this.jobStatus.set(job.job_id, to);
    const account = this.account(job.account);
    if (CAPPED_STATUSES.has(from) && !CAPPED_STATUSES.has(to)) this.setCounted(account, account.counted - 1);
    else if (!CAPPED_STATUSES.has(from) && CAPPED_STATUSES.has(to)) this.setCounted(account, account.counted + 1);
    this.setInFlight(account, false);
    const worker = this.workers[workerId];
    if (worker && worker.kind === 'busy' && worker.jobId === job.job_id) this.setWorker(workerId, { kind: 'between', since: at });
    return account;
  }

  private recordFailure(job: Job, workerId: number, outcome: FailureOutcome, message: string, retryAt: number | undefined, at: number): void {
    const category = outcome === 'unconfirmed' ? 'unconfirmed' : job.error_category || 'unknown';
    const type = outcome === 'unconfirmed' ? '' : job.error_type || 'unknown';
    const line: FailureLine = {
      seq: ++this.seq, at, jobId: job.job_id, account: job.account, video: videoName(job), workerId, outcome,
      category, type, message: oneLine(message), attempts: job.attempts, maxAttempts: job.max_attempts, retryAt,
    };
    this.failedAttempts += outcome === 'unconfirmed' ? 0 : 1;
    const key = `${category}/${type}`;
    let tally = this.tallies.get(key);
    if (!tally) {
      tally = { category, type, final: 0, retried: 0, unconfirmed: 0 };
      this.tallies.set(key, tally);
    }
    if (outcome === 'failed') tally.final += 1;
    else if (outcome === 'retrying') tally.retried += 1;
    else tally.unconfirmed += 1;

    const account = this.account(job.account);
    account.failures += 1;
    account.lastError = category === 'unconfirmed' ? `unconfirmed: ${line.message}` : `${key}: ${line.message}`;
    account.lastErrorAt = at;
    const accountError = category === 'account';
    if (accountError !== account.accountError) {
      account.accountError = accountError;
      this.withAccountErrors += accountError ? 1 : -1;
    }

    this.failureCount += 1;
    this.push(this.failures, line, this.liveFailureCount, (failure) => ({ kind: 'failure', failure }));
  }

  private note(event: RunEvent, tone: NoteTone): void {
    const text = formatEvent(event);
    if (text === undefined) return;
    // formatEvent starts with the event's clock time; the screen prints its own.
    const line: NoteLine = { seq: ++this.seq, at: event.at, tone, text: oneLine(text.replace(/^\d\d:\d\d:\d\d /, '')) };
    this.noteCount += 1;
    this.push(this.notes, line, this.liveNoteCount, (note) => ({ kind: 'note', note }));
  }

  /** Appends a line to a history; the one that falls out of the live window goes to the scrollback queue. */
  private push<T>(list: T[], line: T, live: number, wrap: (line: T) => ScrolledLine): void {
    list.push(line);
    if (!this.liveCleared && list.length > live) this.queue(wrap(list[list.length - 1 - live]!));
    if (list.length > this.keep) list.shift();
  }

  private queue(line: ScrolledLine): void {
    if (this.scrolled.length >= this.backlog) this.droppedLines += 1;
    else this.scrolled.push(line);
  }

  /** At the end, what was still in the live part goes to the scrollback, in the order it happened. */
  private scrollEverything(): void {
    if (this.liveCleared) return;
    const rest: ScrolledLine[] = [
      ...this.liveFailures().map((failure): ScrolledLine => ({ kind: 'failure', failure })),
      ...this.liveNotes().map((note): ScrolledLine => ({ kind: 'note', note })),
    ];
    rest.sort((a, b) => lineSeq(a) - lineSeq(b));
    for (const line of rest) this.queue(line);
    this.liveCleared = true;
  }

  private account(name: string): AccountView {
    let account = this.accounts.get(name);
    if (!account) {
      account = { name, counted: 0, inFlight: false, posts: 0, failures: 0, lastError: '', lastErrorAt: 0, accountError: false };
      this.accounts.set(name, account);
    }
    return account;
  }

  private seedAccounts(list: readonly AccountSummary[] | undefined): void {
    if (!Array.isArray(list)) return;
    for (const summary of list) {
      const account = this.account(summary.account);
      this.setCounted(account, summary.counted);
      this.setInFlight(account, summary.inFlight);
    }
    this.accountsComplete = true;
  }

  private setCounted(account: AccountView, counted: number): void {
    const was = account.counted >= this.cap;
    account.counted = Math.max(0, counted);
    const is = account.counted >= this.cap;
    if (was !== is) this.atCap += is ? 1 : -1;
  }

  private setInFlight(account: AccountView, inFlight: boolean): void {
    if (account.inFlight === inFlight) return;
    account.inFlight = inFlight;
    this.inFlight += inFlight ? 1 : -1;
  }

  private setWorker(id: number, state: WorkerState): void {
    if (!Number.isInteger(id) || id < 0) return;
    while (this.workers.length <= id) this.workers.push({ kind: 'starting' });
    this.workers[id] = state;
  }

  /** An event that carries the ledger's counts (a merge can add or change rows) replaces ours. */
  private adoptTotals(event: RunEvent): void {
    const extra = event as { counts?: StatusCounts; jobs?: number };
    if (extra.counts && typeof extra.counts === 'object') this.counts = { ...zeroCounts(), ...extra.counts };
    if (typeof extra.jobs === 'number') this.total = extra.jobs;
  }
}

function lineSeq(line: ScrolledLine): number {
  return line.kind === 'failure' ? line.failure.seq : line.kind === 'note' ? line.note.seq : line.seq;
}

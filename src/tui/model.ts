/**
 * What the live screen knows about a run, built only from the runner's events (never its
 * internals). No React, no timers, no clock: every time comes from the events or is passed in.
 *
 * The runner's main thread is what limits a busy run, and it emits two events per job (claimed,
 * then done), 20,000+ a second. So the model subscribes to each event type on its own (no tagging
 * and no switch per event) and the common path of a job allocates nothing: a claim is a few
 * counters and one map entry (its account's cap count), an outcome a few counters. Everything the
 * screen shows beyond counters (worker rows, account rows, rates) is derived when a frame is
 * drawn, ten times a second at most, not when an event arrives.
 */
import { CAPPED_STATUSES, zeroCounts, type Job, type Status, type StatusCounts } from '../core/job.js';
import type { Blockers } from '../core/day-state.js';
import type { EndReason, RunEvent, RunEventName, RunEvents, RunEventStream, RunSummary } from '../runner/events.js';
import { formatEvent } from '../runner/log.js';
import { baseName, oneLine } from './text.js';

export interface RunHeader {
  runId: string;
  ledger: string;
  workers: number;
  cap: number;
  handler: string;
  startedAt: number;
  /** The pacing rules in force, one short phrase each (none: no pacing beyond the cap). */
  pacing: readonly string[];
}

/** The posting window as the last 'window' event left it; `until`: when a closed window opens (undefined: the run ends instead). */
export interface WindowView {
  open: boolean;
  until: number | undefined;
  at: number;
}

/** An account cooling down, as the `a` view lists it. */
export interface CoolingView {
  account: string;
  until: number;
  reason: string;
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
  failures: number;
  lastError: string;
  lastErrorAt: number;
  /** The last failure was of the `account` category (suspended, logged out, ...). */
  accountError: boolean;
}

/** What an account's failures left behind; kept only for accounts that failed. */
interface AccountTrouble {
  failures: number;
  lastError: string;
  lastErrorAt: number;
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

const SECOND = 1000;
const MINUTE = 60_000;
const HISTORY_MINUTES = 20;
/** The rate is taken over the last minute (or since the start, if sooner). */
const RATE_WINDOW_SECONDS = 60;
/** Seconds kept in the ring (a little more than the window). */
const SECONDS_KEPT = 64;

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}

/**
 * Jobs finished per second (the last minute, for the rate) and per minute (the last 20, for the
 * sparkline), in two rings. Adding a job stamped in the current second is two increments.
 */
class Throughput {
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

/** The job's video as the operator knows it: its file name. */
function videoName(job: Job): string {
  return job.video_path ? baseName(job.video_path) : job.job_id;
}

/** One worker's row, updated in place (no object per event). */
class WorkerSlot {
  kind: WorkerState['kind'] = 'starting';
  job: Job | undefined = undefined;
  since = 0;
  blockers: Blockers | undefined = undefined;
  message = '';

  state(): WorkerState {
    switch (this.kind) {
      case 'busy': {
        const job = this.job!;
        return { kind: 'busy', jobId: job.job_id, account: job.account, video: videoName(job), since: this.since };
      }
      case 'between':
        return { kind: 'between', since: this.since };
      case 'idle':
        return { kind: 'idle', blockers: this.blockers!, since: this.since };
      case 'died':
        return { kind: 'died', message: this.message, since: this.since };
      case 'starting':
        return { kind: 'starting' };
    }
  }
}

type Handlers = { [K in RunEventName]: (event: RunEvents[K]) => void };

export class RunView {
  header: RunHeader | undefined;
  counts: StatusCounts = zeroCounts();
  /** Jobs in the ledger. */
  total = 0;
  paused = false;
  stopping: { reason: string; graceMs: number; at: number } | undefined;
  ended: RunEnd | undefined;
  /** The latest blockers a worker reported (for jobs without an account). */
  lastBlockers: Blockers | undefined;
  /** Jobs finished (success or final failure) during this run. */
  processed = 0;
  /** Failed attempts during this run, retried or not. */
  failedAttempts = 0;
  /** Accounts at the cap, with a job in flight, whose last failure was an account error. */
  atCap = 0;
  inFlight = 0;
  withAccountErrors = 0;
  /** Whether run-started listed every account (else the account count is "seen so far"). */
  accountsComplete = false;
  /**
   * Accounts frozen for the day by an account failure → why (until `daycap unfreeze`), and
   * accounts cooling down → until when (epoch ms; an entry whose time has passed is no longer
   * shown). Both change on rare events of their own, never on a claim or a post.
   */
  readonly frozen = new Map<string, string>();
  readonly cooling = new Map<string, number>();
  /** The posting window, once a 'window' event said something about it. */
  window: WindowView | undefined;
  readonly tallies = new Map<string, FailureTally>();
  /** The last failures and events, newest last. */
  readonly failures: FailureLine[] = [];
  readonly notes: NoteLine[] = [];
  failureCount = 0;
  noteCount = 0;
  /** Goes up with every event that changes what is drawn: the screen redraws only when it moved. */
  version = 0;

  private readonly liveFailureCount: number;
  private readonly liveNoteCount: number;
  private readonly keep: number;
  private readonly backlog: number;
  private readonly slots: WorkerSlot[] = [];
  /**
   * Every account seen: its jobs counting toward the cap, times two, plus one while it has a job in
   * flight. A number, not an object: a day can have 100,000 accounts and each claim touches one.
   */
  private readonly accountState = new Map<string, number>();
  /** Only accounts that failed. */
  private readonly trouble = new Map<string, AccountTrouble>();
  /** Why each account in `cooling` cools down. */
  private readonly coolingReasons = new Map<string, string>();
  /**
   * Jobs of this run waiting to retry or unconfirmed, to tell what a later claim or outcome moves
   * them from. A claimed job is not here (an outcome moves it from `claimed`), so a run without
   * failures never touches this map.
   */
  private readonly unsettled = new Map<string, Status>();
  /** Jobs passed over because their account is at the cap: they stay pending today. */
  private readonly heldByCap = new Set<string>();
  /** Retrying jobs from before this run, not yet claimed (to tell a retry from a pending job on claim). */
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

  /**
   * Subscribes to every event type of `events` (one listener per type: the stream then neither
   * tags nor copies events for this subscriber). Returns the unsubscribe function.
   */
  attach(events: RunEventStream): () => void {
    const offs = (Object.keys(this.handlers) as RunEventName[]).map((name) => events.on(name, this.handlers[name] as (payload: RunEvents[typeof name]) => void));
    return () => {
      for (const off of offs) off();
    };
  }

  /** One event of any type (for a subscriber of `onAny`, and tests). */
  apply(event: RunEvent): void {
    (this.handlers[event.type] as (payload: RunEvent) => void)?.(event);
  }

  /** Typed so that a new event type fails to compile until the screen decides what it shows. */
  private readonly handlers: Handlers = {
    'run-started': (e) => this.started(e),
    'job-claimed': (e) => this.claimed(e),
    'job-done': (e) => this.posted(e),
    'job-failed': (e) => {
      this.settle(e.job, 'failed', e.workerId, e.at);
      this.processed += 1;
      this.throughput.add(e.at);
      this.recordFailure(e.job, e.workerId, 'failed', e.job.error, undefined, e.at);
    },
    'job-retrying': (e) => {
      this.settle(e.job, 'retrying', e.workerId, e.at);
      this.recordFailure(e.job, e.workerId, 'retrying', e.job.error, e.retryAt, e.at);
    },
    'job-unconfirmed': (e) => {
      this.settle(e.job, 'unconfirmed', e.workerId, e.at);
      this.recordFailure(e.job, e.workerId, 'unconfirmed', e.reason, undefined, e.at);
    },
    'cap-skip': (e) => {
      if (this.heldByCap.has(e.jobId)) return;
      this.heldByCap.add(e.jobId);
      this.version += 1;
    },
    'worker-idle': (e) => {
      this.version += 1;
      this.lastBlockers = e.blockers;
      const slot = this.slot(e.workerId);
      if (!slot) return;
      slot.kind = 'idle';
      slot.blockers = e.blockers;
      slot.since = e.at;
    },
    'worker-died': (e) => {
      const slot = this.slot(e.workerId);
      if (slot) {
        slot.kind = 'died';
        slot.message = oneLine(e.message);
        slot.since = e.at;
      }
      this.note('worker-died', e, 'bad');
    },
    'ledger-written': () => undefined,
    'paused': (e) => {
      this.paused = e.paused;
      this.note('paused', e, 'info');
    },
    'stopping': (e) => {
      this.stopping = { reason: e.reason, graceMs: e.graceMs, at: e.at };
      this.note('stopping', e, 'warn');
    },
    'recovered': (e) => this.note('recovered', e, e.unconfirmed > e.posted + e.notPosted ? 'warn' : 'info'),
    'pass-ended': (e) => this.note('pass-ended', e, 'info'),
    'external-edit': (e) => {
      this.note('external-edit', e, e.refused > 0 ? 'warn' : 'info');
      this.adoptTotals(e);
    },
    'warning': (e) => this.note('warning', e, 'warn'),
    'account-frozen': (e) => {
      this.frozen.set(e.account, e.reason);
      this.note('account-frozen', e, 'bad');
    },
    'account-cooling': (e) => {
      this.coolDown(e.account, e.until, e.reason);
      this.note('account-cooling', e, 'warn');
    },
    'account-unfrozen': (e) => {
      this.frozen.delete(e.account);
      this.note('account-unfrozen', e, 'info');
    },
    'window': (e) => {
      this.window = { open: e.open, until: e.until, at: e.at };
      this.note('window', e, e.open ? 'info' : 'warn');
    },
    'run-ended': (e) => {
      this.version += 1;
      this.ended = { summary: e.summary, reason: e.reason, exitCode: e.exitCode, at: e.at };
      this.counts = { ...e.summary.counts };
      this.total = e.summary.jobs;
      this.scrollEverything();
    },
  };

  // ---- the hot path: a claim and a post ----

  private claimed(e: RunEvents['job-claimed']): void {
    this.version += 1;
    const job = e.job;
    const id = job.job_id;
    const from = e.from;
    if (this.unsettled.size > 0) this.unsettled.delete(id);
    const c = this.counts;
    if (from === 'pending') {
      if (c.pending > 0) c.pending -= 1;
      c.claimed += 1;
    } else this.move(from, 'claimed');
    if (this.heldByCap.size > 0) this.heldByCap.delete(id);
    const name = job.account;
    const state = this.accountState.get(name) ?? 0;
    let counted = state >> 1;
    if (!CAPPED_STATUSES.has(from)) {
      counted += 1;
      if (counted === this.cap) this.atCap += 1;
    }
    if ((state & 1) === 0) this.inFlight += 1;
    this.accountState.set(name, (counted << 1) | 1);
    const slot = this.slots[e.workerId] ?? this.slot(e.workerId);
    if (slot) {
      slot.kind = 'busy';
      slot.job = job;
      slot.since = e.at;
    }
  }

  private posted(e: RunEvents['job-done']): void {
    const job = e.job;
    if (this.unsettled.size > 0 && this.unsettled.has(job.job_id)) this.settle(job, 'success', e.workerId, e.at);
    else {
      // From claimed to success: both count toward the cap, so only "in flight" changes.
      this.version += 1;
      const c = this.counts;
      if (c.claimed > 0) c.claimed -= 1;
      c.success += 1;
      this.leaveFlight(job.account);
      this.finishOnWorker(e.workerId, job.job_id, e.at);
    }
    this.processed += 1;
    this.throughput.add(e.at);
  }

  // ---- what the components read ----

  get cap(): number {
    return this.header?.cap ?? 1;
  }

  get startedAt(): number | undefined {
    return this.header?.startedAt;
  }

  /** Each worker's row, as of now (made when a frame asks). */
  get workers(): WorkerState[] {
    return this.slots.map((slot) => slot.state());
  }

  get workerCount(): number {
    return this.slots.length;
  }

  /** Accounts seen so far (all of them if run-started listed them). */
  get accountCount(): number {
    return this.accountState.size;
  }

  /** One account as the `a` view shows it, or undefined if never seen. */
  account(name: string): AccountView | undefined {
    const state = this.accountState.get(name);
    const trouble = this.trouble.get(name);
    if (state === undefined && !trouble) return undefined;
    return accountView(name, state ?? 0, trouble);
  }

  /** The posting window while it is closed, else undefined. */
  get windowClosed(): WindowView | undefined {
    return this.window && !this.window.open && !this.ended ? this.window : undefined;
  }

  /** Accounts still cooling down at `now`, the soonest free first. Entries that ran out are dropped. */
  coolingAt(now: number): CoolingView[] {
    const out: CoolingView[] = [];
    for (const [account, until] of this.cooling) {
      if (until > now) out.push({ account, until, reason: this.coolingReasons.get(account) ?? '' });
      else this.forgetCooling(account);
    }
    return out.sort((a, b) => a.until - b.until || byName(a.account, b.account));
  }

  /** How many accounts are still cooling down at `now`. */
  coolingCount(now: number): number {
    let n = 0;
    for (const until of this.cooling.values()) if (until > now) n += 1;
    return n;
  }

  /** Frozen accounts by name, with why. */
  frozenRows(): Array<{ account: string; reason: string }> {
    return [...this.frozen].map(([account, reason]) => ({ account, reason })).sort((a, b) => byName(a.account, b.account));
  }

  /** Pending jobs held back by the cap (they cannot run today). */
  get heldAtCap(): number {
    return this.heldByCap.size;
  }

  /** Pending jobs with no account (never claimed), as last reported. */
  get unassigned(): number {
    return this.ended?.summary.unassigned ?? this.lastBlockers?.unassigned ?? 0;
  }

  /** Pending jobs this run cannot take: without an account, or held back by the cap. */
  get setAside(): number {
    return Math.min(this.counts.pending, this.unassigned + this.heldAtCap);
  }

  /** Jobs this run can still work on: claimable pending, in flight, waiting to retry. */
  get remaining(): number {
    const c = this.counts;
    return c.pending - this.setAside + c.claimed + c.retrying;
  }

  /**
   * Jobs settled (posted, failed for good, skipped, or unconfirmed): the progress bar's numerator.
   * Jobs set aside (no account, held by the cap) are not done; the progress line shows them apart.
   */
  get done(): number {
    return Math.max(0, Math.min(this.total, this.total - this.remaining - this.setAside));
  }

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

  /** Jobs finished per minute over the last minute (or since the start, if sooner). */
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

  /**
   * Accounts for the `a` view: account errors first, then those in flight, then the most recently
   * failed, then by name; the first `limit` of them. Only accounts with something to say are
   * sorted in full (a day can have 100,000 accounts).
   */
  accountRows(limit = Number.POSITIVE_INFINITY): AccountView[] {
    const notable: AccountView[] = [];
    const quiet: string[] = [];
    for (const [name, state] of this.accountState) {
      const trouble = this.trouble.get(name);
      if (trouble || (state & 1) === 1) notable.push(accountView(name, state, trouble));
      else quiet.push(name);
    }
    for (const [name, trouble] of this.trouble) {
      if (!this.accountState.has(name)) notable.push(accountView(name, 0, trouble));
    }
    notable.sort((a, b) =>
      Number(b.accountError) - Number(a.accountError) ||
      Number(b.inFlight) - Number(a.inFlight) ||
      b.lastErrorAt - a.lastErrorAt ||
      byName(a.name, b.name));
    if (notable.length >= limit) return notable.slice(0, limit);
    quiet.sort(byName);
    for (const name of quiet) {
      if (notable.length >= limit) break;
      notable.push(accountView(name, this.accountState.get(name)!, undefined));
    }
    return notable;
  }

  /** Failure counts by category/type, most frequent first. */
  failureTallies(): FailureTally[] {
    return [...this.tallies.values()].sort((a, b) => (b.final + b.retried + b.unconfirmed) - (a.final + a.retried + a.unconfirmed));
  }

  // ---- internals ----

  private started(e: RunEvents['run-started']): void {
    this.version += 1;
    this.header = { runId: e.runId, ledger: e.ledger, workers: e.workers, cap: e.cap, handler: e.handler, startedAt: e.at, pacing: e.pacing ?? [] };
    this.total = e.jobs;
    this.counts = { ...zeroCounts(), ...e.counts };
    this.slots.length = 0;
    for (let i = 0; i < e.workers; i++) this.slots.push(new WorkerSlot());
    this.frozen.clear();
    for (const f of e.frozen ?? []) this.frozen.set(f.account, f.reason);
    this.cooling.clear();
    this.coolingReasons.clear();
    for (const c of e.cooling ?? []) this.coolDown(c.account, c.until, c.reason);
    this.window = undefined;
  }

  /** The latest end wins: an account cools down until its last cooldown is over. */
  private coolDown(account: string, until: number, reason: string): void {
    if ((this.cooling.get(account) ?? -Infinity) > until) return;
    this.cooling.set(account, until);
    this.coolingReasons.set(account, reason);
  }

  private forgetCooling(account: string): void {
    this.cooling.delete(account);
    this.coolingReasons.delete(account);
  }

  private move(from: Status, to: Status): void {
    if (this.counts[from] > 0) this.counts[from] -= 1;
    this.counts[to] += 1;
  }

  /** A claim ended (posted, failed, retrying, unconfirmed): counts, its account and its worker. */
  private settle(job: Job, to: Status, workerId: number, at: number): void {
    this.version += 1;
    const id = job.job_id;
    const from = (this.unsettled.size > 0 ? this.unsettled.get(id) : undefined) ?? 'claimed';
    this.move(from, to);
    if (to === 'retrying' || to === 'unconfirmed') this.unsettled.set(id, to);
    else if (this.unsettled.size > 0) this.unsettled.delete(id);
    const name = job.account;
    const state = this.accountState.get(name) ?? 0;
    let counted = state >> 1;
    const wasCapped = CAPPED_STATUSES.has(from);
    const isCapped = CAPPED_STATUSES.has(to);
    if (wasCapped && !isCapped && counted > 0) {
      if (counted === this.cap) this.atCap -= 1;
      counted -= 1;
    } else if (!wasCapped && isCapped) {
      counted += 1;
      if (counted === this.cap) this.atCap += 1;
    }
    if ((state & 1) === 1) this.inFlight -= 1;
    this.accountState.set(name, counted << 1);
    this.finishOnWorker(workerId, id, at);
  }

  private leaveFlight(name: string): void {
    const state = this.accountState.get(name);
    if (state === undefined) this.accountState.set(name, 0);
    else if ((state & 1) === 1) {
      this.accountState.set(name, state - 1);
      this.inFlight -= 1;
    }
  }

  private finishOnWorker(workerId: number, jobId: string, at: number): void {
    const slot = this.slots[workerId];
    if (slot && slot.kind === 'busy' && slot.job!.job_id === jobId) {
      slot.kind = 'between';
      slot.job = undefined;
      slot.since = at;
    }
  }

  /** The slot of worker `id`, made if the run grew (a replaced thread); undefined for a bad id. */
  private slot(id: number): WorkerSlot | undefined {
    if (!Number.isInteger(id) || id < 0 || id > 10_000) return undefined;
    while (this.slots.length <= id) this.slots.push(new WorkerSlot());
    return this.slots[id];
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

    let trouble = this.trouble.get(job.account);
    if (!trouble) {
      trouble = { failures: 0, lastError: '', lastErrorAt: 0, accountError: false };
      this.trouble.set(job.account, trouble);
    }
    trouble.failures += 1;
    trouble.lastError = category === 'unconfirmed' ? `unconfirmed: ${line.message}` : `${key}: ${line.message}`;
    trouble.lastErrorAt = at;
    const accountError = category === 'account';
    if (accountError !== trouble.accountError) {
      trouble.accountError = accountError;
      this.withAccountErrors += accountError ? 1 : -1;
    }

    this.failureCount += 1;
    this.push(this.failures, line, this.liveFailureCount, (failure) => ({ kind: 'failure', failure }));
  }

  private note<K extends RunEventName>(type: K, payload: RunEvents[K], tone: NoteTone): void {
    this.version += 1;
    const text = formatEvent({ ...payload, type } as unknown as RunEvent);
    if (text === undefined) return;
    // formatEvent starts with the event's clock time; the screen prints its own.
    const line: NoteLine = { seq: ++this.seq, at: payload.at, tone, text: oneLine(text.replace(/^\d\d:\d\d:\d\d /, '')) };
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

  /** An event that carries the ledger's counts (a merge can add or change rows) replaces ours. */
  private adoptTotals(event: object): void {
    const extra = event as { counts?: StatusCounts; jobs?: number };
    if (extra.counts && typeof extra.counts === 'object') this.counts = { ...zeroCounts(), ...extra.counts };
    if (typeof extra.jobs === 'number') this.total = extra.jobs;
  }
}

function accountView(name: string, state: number, trouble: AccountTrouble | undefined): AccountView {
  return {
    name,
    counted: state >> 1,
    inFlight: (state & 1) === 1,
    failures: trouble?.failures ?? 0,
    lastError: trouble?.lastError ?? '',
    lastErrorAt: trouble?.lastErrorAt ?? 0,
    accountError: trouble?.accountError ?? false,
  };
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function lineSeq(line: ScrolledLine): number {
  return line.kind === 'failure' ? line.failure.seq : line.kind === 'note' ? line.note.seq : line.seq;
}

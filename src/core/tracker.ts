/**
 * The day's jobs in memory with the indexes the rules need, and every legal transition.
 *
 * Pure: no I/O and no clock; `now` (epoch ms) is passed in. Every transition updates per-account
 * counts incrementally, so a claim costs the same at 100 jobs as at 100,000 (no rescans).
 * Each mutating call returns copies of the rows it changed, for the caller to make durable.
 */
import { classifyFailure, DEFAULT_RULES, isNonRetryableCategory, type CategoryRule, type FailureReport } from './classify.js';
import { MinHeap } from './heap.js';
import { CAPPED_STATUSES, cloneJob, DEFAULT_CAP, isoTime, parseTime, zeroCounts, type Job, type Status, type StatusCounts } from './job.js';
import { IllegalTransitionError, DaycapError } from '../errors.js';

export interface ClaimContext {
  workerId: number | string;
  runId: string;
  now: number;
  /** Written to pass_number; by default the attempt number (pass 1 = first attempts, pass 2 = their retries…). */
  pass?: number;
}

/** A job passed over because its account is at the cap (seed section 1.1's log line). */
export interface CapSkip {
  jobId: string;
  account: string;
  cap: number;
}

export function capSkipLine(skip: CapSkip): string {
  return `Skipping job ${skip.jobId} - account ${skip.account} at daily limit of ${skip.cap}`;
}

export interface FailureInput extends FailureReport {
  /** The platform's own wait (rate limits); the longer of this and the retry delay applies. */
  retryAfterMs?: number | undefined;
}

export interface FailOptions {
  now: number;
  failure: FailureInput;
  retryDelayMs: number;
  rules?: readonly CategoryRule[];
}

/** Why work is held back at a moment; drives "worker idle" events and the UI. */
export interface Blockers {
  claimableNow: number;
  accountsInFlight: number;
  accountsAtCap: number;
  retryingLater: number;
  nextRetryAt: number | undefined;
  unassigned: number;
}

export interface AccountSummary {
  account: string;
  cap: number;
  counted: number;
  inFlight: boolean;
  byStatus: StatusCounts;
}

const EMPTY: ReadonlySet<string> = new Set();

class AccountState {
  /** In the ready queue as claimable now (see ReadyQueue). */
  ready = false;
  readyTicket = 0;
  /** success + claimed + unconfirmed: what G1 bounds. */
  counted = 0;
  claimed = 0;
  /** Extra holds that keep the account busy, e.g. while an outcome is being made durable (G3). */
  holds = 0;
  retrying = 0;
  /** Jobs claimable now, oldest first: pending ones and retrying ones whose time has come. Made on demand (most accounts hold one job). */
  private dueSet: Set<string> | undefined;
  constructor(readonly name: string) {}
  get busy(): boolean {
    return this.claimed + this.holds > 0;
  }
  get due(): ReadonlySet<string> {
    return this.dueSet ?? EMPTY;
  }
  addDue(jobId: string): void {
    (this.dueSet ??= new Set()).add(jobId);
  }
  deleteDue(jobId: string): void {
    if (this.dueSet?.delete(jobId) && this.dueSet.size === 0) this.dueSet = undefined;
  }
}

/**
 * Accounts claimable now, first come first served. A FIFO with lazy removal: an account that stops
 * being ready only has its flag cleared, and stale entries are skipped when they reach the front.
 * (A Set would do, but taking its first element after many deletions walks over every deleted
 * slot: quadratic over a day of 100,000 accounts.)
 */
class ReadyQueue {
  private queue: AccountState[] = [];
  /** The account's readyTicket when it was queued: an older entry of a re-queued account is stale. */
  private tickets: number[] = [];
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(state: AccountState): void {
    if (state.ready) return;
    state.ready = true;
    state.readyTicket += 1;
    this.count += 1;
    this.queue.push(state);
    this.tickets.push(state.readyTicket);
  }

  delete(state: AccountState): void {
    if (!state.ready) return;
    state.ready = false;
    this.count -= 1;
  }

  first(): AccountState | undefined {
    while (this.head < this.queue.length) {
      const state = this.queue[this.head]!;
      if (state.ready && state.readyTicket === this.tickets[this.head]) {
        if (this.head > 1024 && this.head * 2 > this.queue.length) this.compact();
        return state;
      }
      this.head += 1;
    }
    this.compact();
    return undefined;
  }

  private compact(): void {
    if (this.head === 0) return;
    this.queue = this.queue.slice(this.head);
    this.tickets = this.tickets.slice(this.head);
    this.head = 0;
  }
}

export class Tracker {
  private readonly jobs = new Map<string, Job>();
  private readonly accounts = new Map<string, AccountState>();
  /** Accounts with a job claimable now, no job in flight and room under the cap, in round-robin order. */
  private readonly ready = new ReadyQueue();
  private readonly retryHeap = new MinHeap<string>();
  private readonly counts: StatusCounts = zeroCounts();
  private unassignedCount = 0;
  private capSkips: CapSkip[] = [];
  private readonly capReported = new Set<string>();
  private capValue: number;

  /**
   * `adopt` hands the rows over instead of copying them (the caller must drop its references):
   * a 100,000-row ledger is then held once, not twice.
   */
  constructor(jobs: Iterable<Job> = [], options: { cap?: number; adopt?: boolean } = {}) {
    this.capValue = options.cap ?? DEFAULT_CAP;
    if (!Number.isInteger(this.capValue) || this.capValue < 1) throw new DaycapError('BAD_CAP', `the cap must be a whole number of at least 1, not ${this.capValue}`);
    for (const job of jobs) this.insert(options.adopt ? job : cloneJob(job));
  }

  get cap(): number {
    return this.capValue;
  }

  get size(): number {
    return this.jobs.size;
  }

  has(jobId: string): boolean {
    return this.jobs.has(jobId);
  }

  /** The live row; callers must not mutate it. */
  get(jobId: string): Readonly<Job> | undefined {
    return this.jobs.get(jobId);
  }

  /** All rows in ledger order (insertion order). */
  all(): Job[] {
    return [...this.jobs.values()];
  }

  statusCounts(): StatusCounts {
    return { ...this.counts };
  }

  /** Pending jobs with no account: never claimed (seed section 1.2). */
  get unassigned(): number {
    return this.unassignedCount;
  }

  accountNames(): string[] {
    return [...this.accounts.keys()];
  }

  accountSummary(account: string): AccountSummary | undefined {
    const state = this.accounts.get(account);
    if (!state) return undefined;
    // Per-status counts are not indexed (a 100,000-account day would pay for them on every row): O(n).
    const byStatus = zeroCounts();
    for (const job of this.jobs.values()) if (job.account === account) byStatus[job.status] += 1;
    return { account, cap: this.capValue, counted: state.counted, inFlight: state.busy, byStatus };
  }

  /** Adds a row as it is (loading a ledger, seeding, merging new rows). */
  add(job: Job): Job {
    return cloneJob(this.insert(cloneJob(job)));
  }

  private insert(row: Job): Job {
    if (this.jobs.has(row.job_id)) throw new DaycapError('DUPLICATE_JOB', `job ${row.job_id} is already in the ledger`);
    this.jobs.set(row.job_id, row);
    this.index(row);
    if (row.account) this.refresh(this.account(row.account));
    return row;
  }

  /** Takes the next claimable job for a worker, or none. O(1) apart from retries that fell due. */
  claimNext(ctx: ClaimContext): { job: Job | undefined; capSkips: CapSkip[] } {
    this.promoteDue(ctx.now);
    let job: Job | undefined;
    const state = this.ready.first();
    if (state) {
      const jobId = state.due.values().next().value as string;
      job = this.claim(jobId, ctx);
    }
    return { job, capSkips: this.drainCapSkips() };
  }

  /** Claims one given job; refuses (throws) unless every claim rule holds. */
  claim(jobId: string, ctx: ClaimContext): Job {
    const job = this.require(jobId);
    this.promoteDue(ctx.now);
    const state = job.account ? this.accounts.get(job.account) : undefined;
    if (!state || !state.due.has(jobId)) throw new IllegalTransitionError(jobId, describe(job, ctx.now), 'claimed');
    if (state.busy) throw new DaycapError('ACCOUNT_BUSY', `job ${jobId} cannot be claimed: account ${job.account} already has a job in flight`);
    if (state.counted >= this.capValue) throw new DaycapError('ACCOUNT_AT_CAP', capSkipLine({ jobId, account: job.account, cap: this.capValue }));
    return this.update(job, (row) => {
      row.status = 'claimed';
      row.worker_id = String(ctx.workerId);
      row.claimed_at = isoTime(ctx.now);
      row.completed_at = '';
      row.retry_at = '';
      row.pass_number = ctx.pass ?? row.attempts + 1;
      row.run_id = ctx.runId;
    });
  }

  succeed(jobId: string, now: number, postId = ''): Job {
    const job = this.requireStatus(jobId, ['claimed'], 'success');
    return this.update(job, (row) => {
      row.status = 'success';
      row.completed_at = isoTime(now);
      row.error = '';
      row.error_type = '';
      row.error_category = '';
      row.attempts += 1;
      if (postId) row.video_id = postId;
    });
  }

  /** A failed attempt: `retrying` after a delay while attempts remain and the error is retryable, else `failed`. */
  fail(jobId: string, options: FailOptions): Job {
    const job = this.requireStatus(jobId, ['claimed'], 'failed');
    const cls = classifyFailure(options.failure, options.rules ?? DEFAULT_RULES);
    const attempts = job.attempts + 1;
    const retry = cls.retryable && attempts < job.max_attempts;
    const delay = Math.max(options.retryDelayMs, options.failure.retryAfterMs ?? 0);
    return this.update(job, (row) => {
      row.attempts = attempts;
      row.status = retry ? 'retrying' : 'failed';
      row.retry_at = retry ? isoTime(options.now + delay) : '';
      row.completed_at = isoTime(options.now);
      row.error = options.failure.message;
      row.error_category = cls.category;
      row.error_type = cls.type;
    });
  }

  /** Gives a claim back unrun (a worker that never started it). */
  release(jobId: string): Job {
    const job = this.requireStatus(jobId, ['claimed'], 'pending');
    return this.update(job, clearClaim);
  }

  /** A claim whose fate is unknown (a dead run or a dead worker): it still counts toward the cap (G5). */
  markUnconfirmed(jobId: string, now: number): Job {
    const job = this.requireStatus(jobId, ['claimed'], 'unconfirmed');
    return this.update(job, (row) => {
      row.status = 'unconfirmed';
      row.completed_at = isoTime(now);
      row.error = row.error || 'in flight when its run or worker died; may have posted';
    });
  }

  /** Claims left behind by other runs become unconfirmed (run start-up, G5). */
  adoptOrphans(runId: string, now: number): Job[] {
    const changed: Job[] = [];
    for (const job of this.jobs.values()) {
      if (job.status === 'claimed' && job.run_id !== runId) changed.push(this.markUnconfirmed(job.job_id, now));
    }
    return changed;
  }

  /** The handler's verify verdict on an unconfirmed job. */
  settle(jobId: string, verdict: 'posted' | 'not-posted' | 'unknown', now: number): Job | undefined {
    const job = this.requireStatus(jobId, ['unconfirmed'], verdict === 'posted' ? 'success' : 'pending');
    if (verdict === 'unknown') return undefined;
    return this.update(job, (row) => {
      if (verdict === 'posted') {
        row.status = 'success';
        row.completed_at = isoTime(now);
        row.error = '';
      } else {
        clearClaim(row);
      }
    });
  }

  /** Claims older than `olderThanMs`, and every unconfirmed job, go back to pending (`daycap release-stale`). */
  releaseStale(options: { now: number; olderThanMs: number }): Job[] {
    const changed: Job[] = [];
    for (const job of this.jobs.values()) {
      if (job.status === 'unconfirmed') changed.push(this.update(job, clearClaim));
      else if (job.status === 'claimed') {
        const claimedAt = parseTime(job.claimed_at) ?? -Infinity;
        if (options.now - claimedAt >= options.olderThanMs) changed.push(this.update(job, clearClaim));
      }
    }
    return changed;
  }

  /** Failed jobs go back to pending with fresh attempts; non-retryable ones only when asked. */
  retryFailed(options: { includeNonRetryable?: boolean; rules?: readonly CategoryRule[]; filter?: (job: Readonly<Job>) => boolean } = {}): Job[] {
    const changed: Job[] = [];
    for (const job of this.jobs.values()) {
      if (job.status !== 'failed') continue;
      if (!options.includeNonRetryable && isNonRetryableCategory(job.error_category, options.rules ?? DEFAULT_RULES)) continue;
      if (options.filter && !options.filter(job)) continue;
      changed.push(this.update(job, (row) => {
        clearClaim(row);
        row.attempts = 0;
        row.error = '';
        row.error_type = '';
        row.error_category = '';
      }));
    }
    return changed;
  }

  skip(jobId: string, reason: string): Job {
    const job = this.requireStatus(jobId, ['pending', 'retrying', 'failed'], 'skipped');
    return this.update(job, (row) => {
      row.status = 'skipped';
      row.retry_at = '';
      row.error = reason;
    });
  }

  /**
   * Keeps an account busy without a claim (G3: its outcome is not yet on disk, so it may not be
   * claimed again). Every hold must be matched by `unhold`.
   */
  hold(account: string): void {
    const state = this.account(account);
    state.holds += 1;
    this.refresh(state);
  }

  unhold(account: string): void {
    const state = this.account(account);
    if (state.holds === 0) throw new DaycapError('BUG_UNHOLD', `account ${account} has no hold to release`, { operatorError: false });
    state.holds -= 1;
    this.refresh(state);
  }

  /** When the next retry falls due, if any is waiting. */
  nextRetryAt(now: number): number | undefined {
    this.promoteDue(now);
    return this.retryHeap.peek()?.key;
  }

  /**
   * The earliest waiting retry whose attempt number would be at most `maxAttempt` (a run's
   * --max-passes): the retry a run should wait for, if any. O(retrying jobs); asked only when idle.
   */
  nextRetryWithin(now: number, maxAttempt: number): { at: number; attempt: number } | undefined {
    this.promoteDue(now);
    let best: { at: number; attempt: number } | undefined;
    for (const { key, value } of this.retryHeap.entries()) {
      const job = this.jobs.get(value);
      if (!job || job.status !== 'retrying' || !job.account || (parseTime(job.retry_at) ?? -Infinity) !== key) continue;
      if (job.attempts + 1 > maxAttempt) continue;
      if (!best || key < best.at) best = { at: key, attempt: job.attempts + 1 };
    }
    return best;
  }

  /** True while some job could still be claimed now or later, given the current in-flight work. */
  claimableNow(now: number): boolean {
    this.promoteDue(now);
    return this.ready.size > 0;
  }

  blockers(now: number): Blockers {
    this.promoteDue(now);
    let accountsInFlight = 0;
    let accountsAtCap = 0;
    for (const state of this.accounts.values()) {
      if (state.due.size === 0) continue;
      if (state.busy) accountsInFlight += 1;
      else if (state.counted >= this.capValue) accountsAtCap += 1;
    }
    return {
      claimableNow: this.ready.size,
      accountsInFlight,
      accountsAtCap,
      retryingLater: this.counts.retrying - this.dueRetrying(),
      nextRetryAt: this.retryHeap.peek()?.key,
      unassigned: this.unassignedCount,
    };
  }

  /** Checks every index against a full recount; for tests (O(n)). Throws on the first mismatch. */
  checkIndexes(): void {
    const fresh = new Tracker(this.jobs.values(), { cap: this.capValue });
    const expect = (what: string, a: unknown, b: unknown) => {
      if (JSON.stringify(a) !== JSON.stringify(b)) throw new DaycapError('BUG_INDEX', `index ${what}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`, { operatorError: false });
    };
    expect('counts', this.counts, fresh.counts);
    expect('unassigned', this.unassignedCount, fresh.unassignedCount);
    for (const [name, state] of fresh.accounts) {
      const mine = this.accounts.get(name);
      expect(`counted ${name}`, mine?.counted ?? 0, state.counted);
      expect(`claimed ${name}`, mine?.claimed ?? 0, state.claimed);
    }
  }

  // ---- internals ----

  private require(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw new DaycapError('UNKNOWN_JOB', `no job ${jobId} in the ledger`);
    return job;
  }

  private requireStatus(jobId: string, from: readonly Status[], to: string): Job {
    const job = this.require(jobId);
    if (!from.includes(job.status)) throw new IllegalTransitionError(jobId, job.status, to);
    return job;
  }

  private account(name: string): AccountState {
    let state = this.accounts.get(name);
    if (!state) {
      state = new AccountState(name);
      this.accounts.set(name, state);
    }
    return state;
  }

  /** Applies a change to a row with its indexes taken out and put back, and returns a copy. */
  private update(job: Job, change: (row: Job) => void): Job {
    const before = job.account;
    this.unindex(job);
    change(job);
    this.index(job);
    if (before) this.refresh(this.account(before));
    if (job.account && job.account !== before) this.refresh(this.account(job.account));
    return cloneJob(job);
  }

  private index(job: Job): void {
    this.counts[job.status] += 1;
    if (!job.account) {
      if (job.status === 'pending') this.unassignedCount += 1;
      return;
    }
    const state = this.account(job.account);
    if (job.status === 'retrying') state.retrying += 1;
    if (CAPPED_STATUSES.has(job.status)) state.counted += 1;
    if (job.status === 'claimed') state.claimed += 1;
    if (job.status === 'pending') state.addDue(job.job_id);
    if (job.status === 'retrying') this.retryHeap.push(parseTime(job.retry_at) ?? -Infinity, job.job_id);
  }

  private unindex(job: Job): void {
    this.counts[job.status] -= 1;
    this.capReported.delete(job.job_id);
    if (!job.account) {
      if (job.status === 'pending') this.unassignedCount -= 1;
      return;
    }
    const state = this.account(job.account);
    if (job.status === 'retrying') state.retrying -= 1;
    if (CAPPED_STATUSES.has(job.status)) state.counted -= 1;
    if (job.status === 'claimed') state.claimed -= 1;
    // Stale heap entries for a retrying job are skipped when popped (see promoteDue).
    state.deleteDue(job.job_id);
  }

  /** Moves retrying jobs whose time has come into their account's due set. */
  private promoteDue(now: number): void {
    for (let top = this.retryHeap.peek(); top && top.key <= now; top = this.retryHeap.peek()) {
      this.retryHeap.pop();
      const job = this.jobs.get(top.value);
      if (!job || job.status !== 'retrying' || !job.account) continue;
      if ((parseTime(job.retry_at) ?? -Infinity) !== top.key) continue;
      const state = this.account(job.account);
      if (state.due.has(job.job_id)) continue;
      state.addDue(job.job_id);
      this.refresh(state);
    }
  }

  private dueRetrying(): number {
    let n = 0;
    for (const state of this.accounts.values()) {
      if (state.retrying === 0) continue;
      for (const id of state.due) if (this.jobs.get(id)?.status === 'retrying') n += 1;
    }
    return n;
  }

  /** Keeps `ready` true to the claim rules for one account, and notes jobs held back by the cap. */
  private refresh(state: AccountState): void {
    const hasWork = state.due.size > 0;
    const atCap = state.counted >= this.capValue;
    if (hasWork && !state.busy && !atCap) {
      this.ready.add(state);
      return;
    }
    this.ready.delete(state);
    if (hasWork && atCap && !state.busy) {
      for (const jobId of state.due) {
        if (this.capReported.has(jobId)) continue;
        this.capReported.add(jobId);
        this.capSkips.push({ jobId, account: state.name, cap: this.capValue });
      }
    }
  }

  private drainCapSkips(): CapSkip[] {
    if (this.capSkips.length === 0) return [];
    const out = this.capSkips;
    this.capSkips = [];
    return out;
  }

  /**
   * Replaces a row with an operator's edited version (a merged external edit, see core/merge.ts),
   * re-indexing it. Refuses anything that could add to an account's count or touch a claim:
   * operators never claim or unclaim, and a row may only be counted afterwards if it was counted
   * before, on the same account (G1, G2).
   */
  operatorUpdate(jobId: string, row: Job): Job {
    const job = this.require(jobId);
    if (row.job_id !== jobId) throw new DaycapError('BUG_OPERATOR_UPDATE', `operatorUpdate(${jobId}) was given row ${row.job_id}`, { operatorError: false });
    const keepsCount = CAPPED_STATUSES.has(job.status) && row.account === job.account;
    if (job.status === 'claimed' || row.status === 'claimed' || (CAPPED_STATUSES.has(row.status) && !keepsCount)) {
      throw new IllegalTransitionError(jobId, job.status, row.status);
    }
    const next = cloneJob(row);
    return this.update(job, (live) => {
      Object.assign(live, next);
      if (!next.extra) delete live.extra;
    });
  }
}

function clearClaim(row: Job): void {
  row.status = 'pending';
  row.worker_id = '';
  row.claimed_at = '';
  row.retry_at = '';
  row.run_id = '';
}

function describe(job: Job, now: number): string {
  if (!job.account) return `${job.status} (no account)`;
  if (job.status === 'retrying') {
    const at = parseTime(job.retry_at);
    if (at !== undefined && at > now) return `retrying (not before ${job.retry_at})`;
  }
  return job.status;
}

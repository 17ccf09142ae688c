/**
 * The day's jobs in memory with the indexes the rules need, and every legal transition.
 *
 * Pure: no I/O and no clock; `now` (epoch ms) is passed in. Every transition updates per-account
 * counts incrementally, so a claim costs the same at 100 jobs as at 100,000 (no rescans).
 * Each mutating call returns copies of the rows it changed, for the caller to make durable.
 */
import { AccountState, type AccountHold, type CapRule } from './account-state.js';
import { classifyFailure, DEFAULT_RULES, isNonRetryableCategory, type CategoryRule, type ErrorClass, type FailureReport } from './classify.js';
import { cooldownEndOf, freezeReason, isFreezingRow } from './health.js';
import { MinHeap } from './heap.js';
import { CAPPED_STATUSES, cloneJob, DEFAULT_CAP, zeroCounts, type Job, type Status, type StatusCounts } from './job.js';
import { COOLDOWN_COLUMN, DEFAULT_HEALTH, DEFAULT_PACING, type HealthPolicy, type PacingPolicy, type PastPost } from './policy.js';
import { RateLimit } from './rate-limit.js';
import { isoTime, parseTime, type FormatTime } from './time.js';
import { ReadyQueue } from './ready-queue.js';
import { windowState, type WindowState } from './window.js';
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

/** A rule over all accounts that holds every claim back for a while. */
export interface GlobalHold {
  rule: 'outside-window' | 'rate-limit';
  until: number;
}

/** Why work is held back at a moment, counted by rule; drives "worker idle" events and the UI. */
export interface Blockers {
  claimableNow: number;
  accountsInFlight: number;
  accountsAtCap: number;
  accountsFrozen: number;
  accountsCooling: number;
  accountsInGap: number;
  retryingLater: number;
  nextRetryAt: number | undefined;
  unassigned: number;
  global: GlobalHold | undefined;
  /** When the earliest held account (gap, cooldown, rolling cap) may be claimed again. */
  nextAccountAt: number | undefined;
}

export interface TrackerOptions {
  cap?: number;
  /**
   * Hand the rows over instead of copying them (the caller must drop its references):
   * a 100,000-row ledger is then held once, not twice.
   */
  adopt?: boolean;
  health?: HealthPolicy;
  pacing?: PacingPolicy;
  /** Posts before this ledger's day (archives), counted by a rolling cap. */
  pastPosts?: Iterable<PastPost>;
  /**
   * Possible posts made earlier today that are in archives (account -> count), counted by the day
   * cap: a ledger seeded by any tool after a reset-day still cannot give an account a second post.
   */
  archivedToday?: ReadonlyMap<string, number>;
  /** Uniform in [0, 1): the jitter on gaps. Injected by tests. */
  random?: () => number;
  /**
   * How the times this tracker writes into rows look: the ledger's own convention (see
   * core/time.ts, `ledgerTimeFormat`). Default: UTC with a `Z`.
   */
  formatTime?: FormatTime;
}


export interface AccountSummary {
  account: string;
  cap: number;
  counted: number;
  inFlight: boolean;
  byStatus: StatusCounts;
}

export class Tracker {
  readonly health: HealthPolicy;
  readonly pacing: PacingPolicy;
  /** Writes claimed_at, completed_at, retry_at and cooldown_until; messages keep showing UTC. */
  readonly formatTime: FormatTime;
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
  private readonly capRule: CapRule;
  /** Accounts held by a rule that ends by itself (gap, cooldown, rolling cap), by when it ends. */
  private readonly gateHeap = new MinHeap<AccountState>();
  private readonly random: () => number;
  private readonly rateLimit: RateLimit | undefined;
  private windowCache: (WindowState & { from: number }) | undefined;
  /** The latest `now` any call passed in: refreshes triggered without a clock (add, hold) use it. */
  private now = -Infinity;

  constructor(jobs: Iterable<Job> = [], options: TrackerOptions = {}) {
    this.capValue = options.cap ?? DEFAULT_CAP;
    if (!Number.isInteger(this.capValue) || this.capValue < 1) throw new DaycapError('BAD_CAP', `the cap must be a whole number of at least 1, not ${this.capValue}`);
    this.health = options.health ?? DEFAULT_HEALTH;
    this.pacing = options.pacing ?? DEFAULT_PACING;
    this.capRule = { cap: this.capValue, rolling: this.pacing.capMode === 'rolling-24h' };
    this.random = options.random ?? Math.random;
    this.formatTime = options.formatTime ?? isoTime;
    if (this.capRule.rolling) for (const post of options.pastPosts ?? []) this.account(post.account).addPost(post.at);
    else for (const [account, posts] of options.archivedToday ?? []) if (account && posts > 0) this.account(account).archived = posts;
    const claimTimes: number[] = [];
    for (const job of jobs) {
      const row = this.insert(options.adopt ? job : cloneJob(job));
      if (this.pacing.perMinute !== undefined) {
        const at = parseTime(row.claimed_at);
        if (at !== undefined) claimTimes.push(at);
      }
    }
    this.rateLimit = this.pacing.perMinute === undefined ? undefined : new RateLimit(this.pacing.perMinute, claimTimes);
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
    return { account, cap: this.capValue, counted: state.countedAt(this.now, this.capRule.rolling), inFlight: state.busy, byStatus };
  }

  /** Why an account cannot be claimed at `now`, if it cannot. */
  accountHold(account: string, now: number): AccountHold | undefined {
    this.promoteDue(now);
    return this.accounts.get(account)?.hold(now, this.capRule);
  }

  /** A rule over all accounts (posting window, global rate limit) holding claims back at `now`. */
  globalHold(now: number): GlobalHold | undefined {
    const windows = this.pacing.windows;
    if (windows) {
      let state = this.windowCache;
      const until = state ? (state.open ? state.closesAt : state.opensAt) : -Infinity;
      if (!state || now < state.from || now >= until) state = this.windowCache = { ...windowState(windows, now), from: now };
      if (!state.open) return { rule: 'outside-window', until: state.opensAt };
    }
    const allowedAt = this.rateLimit?.nextAllowedAt(now);
    if (allowedAt !== undefined && allowedAt > now) return { rule: 'rate-limit', until: allowedAt };
    return undefined;
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
    const state = this.globalHold(ctx.now) ? undefined : this.ready.first();
    if (state) {
      const jobId = state.due.values().next().value as string;
      job = this.claim(jobId, ctx);
    }
    return { job, capSkips: this.takeCapSkips() };
  }

  /** Claims one given job; refuses (throws) unless every claim rule holds. */
  claim(jobId: string, ctx: ClaimContext): Job {
    const job = this.require(jobId);
    this.promoteDue(ctx.now);
    const state = job.account ? this.accounts.get(job.account) : undefined;
    if (!state || !state.due.has(jobId)) throw new IllegalTransitionError(jobId, describe(job, ctx.now), 'claimed');
    const hold = state.hold(ctx.now, this.capRule);
    if (hold) throw holdError(jobId, job.account, hold, this.capValue);
    const global = this.globalHold(ctx.now);
    if (global) throw new DaycapError(global.rule === 'rate-limit' ? 'RATE_LIMITED' : 'OUTSIDE_WINDOW', `job ${jobId} cannot be claimed before ${isoTime(global.until)}: ${global.rule === 'rate-limit' ? 'the global rate limit is reached' : 'outside the posting window'}`);
    this.rateLimit?.record(ctx.now);
    return this.update(job, (row) => {
      row.status = 'claimed';
      row.worker_id = String(ctx.workerId);
      row.claimed_at = this.formatTime(ctx.now);
      row.completed_at = '';
      row.retry_at = '';
      row.pass_number = ctx.pass ?? row.attempts + 1;
      row.run_id = ctx.runId;
    });
  }

  succeed(jobId: string, now: number, postId = ''): Job {
    const job = this.requireStatus(jobId, ['claimed'], 'success');
    this.noteNow(now);
    this.account(job.account).streak = 0;
    return this.update(job, (row) => {
      row.status = 'success';
      row.completed_at = this.formatTime(now);
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
    this.noteNow(options.now);
    const { failure, now } = options;
    const cls = classifyWithRetryAfter(failure, options.rules ?? DEFAULT_RULES);
    const attempts = job.attempts + 1;
    const retry = cls.retryable && attempts < job.max_attempts;
    const coolUntil = this.cooldownAfter(this.account(job.account), cls, failure, now);
    const retryAt = Math.max(now + Math.max(options.retryDelayMs, failure.retryAfterMs ?? 0), coolUntil ?? -Infinity);
    return this.update(job, (row) => {
      row.attempts = attempts;
      row.status = retry ? 'retrying' : 'failed';
      row.retry_at = retry ? this.formatTime(retryAt) : '';
      row.completed_at = this.formatTime(now);
      row.error = failure.message;
      row.error_category = cls.category;
      row.error_type = cls.type;
      if (coolUntil !== undefined) row.extra = { ...row.extra, [COOLDOWN_COLUMN]: this.formatTime(coolUntil) };
    });
  }

  /**
   * The cooldown a failure puts on its account: the platform's retry-after, a default for a
   * "slow down" type without one, or a streak of infrastructure failures on the same account.
   */
  private cooldownAfter(state: AccountState, cls: ErrorClass, failure: FailureInput, now: number): number | undefined {
    let until: number | undefined;
    if (failure.retryAfterMs !== undefined) until = now + failure.retryAfterMs;
    else if (this.health.cooldownTypes.includes(cls.type)) until = now + this.health.defaultCooldownMs;
    state.streak = cls.category === 'infrastructure' ? state.streak + 1 : 0;
    if (this.health.failureStreak > 0 && state.streak >= this.health.failureStreak) {
      state.streak = 0;
      until = Math.max(until ?? -Infinity, now + this.health.streakCooldownMs);
    }
    return until;
  }

  /** Gives a claim back unrun (a worker that never started it). */
  release(jobId: string): Job {
    const job = this.requireStatus(jobId, ['claimed'], 'pending');
    return this.update(job, clearClaim);
  }

  /** A claim whose fate is unknown (a dead run or a dead worker): it still counts toward the cap (G5). */
  markUnconfirmed(jobId: string, now: number): Job {
    const job = this.requireStatus(jobId, ['claimed'], 'unconfirmed');
    this.noteNow(now);
    return this.update(job, (row) => {
      row.status = 'unconfirmed';
      row.completed_at = this.formatTime(now);
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
        row.completed_at = this.formatTime(now);
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
      changed.push(this.update(job, revive));
    }
    return changed;
  }

  /**
   * Lifts an account's freeze (`daycap unfreeze`): its freezing failed rows go back to pending
   * with fresh attempts (the failure was the account's, not the job's), or with `retry: false`
   * are skipped. Either way nothing freezes the account any more, and its pending jobs are free.
   */
  unfreeze(account: string, options: { retry: boolean }): Job[] {
    const changed: Job[] = [];
    for (const job of this.jobs.values()) {
      if (job.account !== account || !isFreezingRow(job, this.health)) continue;
      if (options.retry) {
        changed.push(this.update(job, revive));
      } else {
        changed.push(this.skip(job.job_id, `not retried after the account was unfrozen; it failed with: ${job.error}`));
      }
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
    return this.ready.size > 0 && this.globalHold(now) === undefined;
  }

  /** Some account has work that only a rule over all accounts (window, rate limit) holds back. */
  heldGlobally(now: number): GlobalHold | undefined {
    this.promoteDue(now);
    return this.ready.size > 0 ? this.globalHold(now) : undefined;
  }

  /** When the earliest account held by a rule that ends by itself (gap, cooldown, rolling cap) may be claimed. */
  nextAccountAt(now: number): number | undefined {
    this.promoteDue(now);
    for (let top = this.gateHeap.peek(); top; top = this.gateHeap.peek()) {
      if (top.value.gateKey === top.key && top.value.due.size > 0) return top.key;
      // Stale: the account's hold changed, or it has no work left.
      this.gateHeap.pop();
      if (top.value.gateKey === top.key) top.value.gateKey = undefined;
    }
    return undefined;
  }

  blockers(now: number): Blockers {
    this.promoteDue(now);
    const byRule = { 'in-flight': 0, 'at-cap': 0, frozen: 0, 'cooling-down': 0, gap: 0 };
    for (const state of this.accounts.values()) {
      if (state.due.size === 0) continue;
      const hold = state.hold(now, this.capRule);
      if (hold) byRule[hold.rule] += 1;
    }
    return {
      claimableNow: this.ready.size,
      accountsInFlight: byRule['in-flight'],
      accountsAtCap: byRule['at-cap'],
      accountsFrozen: byRule.frozen,
      accountsCooling: byRule['cooling-down'],
      accountsInGap: byRule.gap,
      retryingLater: this.counts.retrying - this.dueRetrying(),
      nextRetryAt: this.retryHeap.peek()?.key,
      unassigned: this.unassignedCount,
      global: this.ready.size > 0 ? this.globalHold(now) : undefined,
      nextAccountAt: this.nextAccountAt(now),
    };
  }

  /** Checks every index against a full recount; for tests (O(n)). Throws on the first mismatch. */
  checkIndexes(): void {
    const fresh = new Tracker(this.jobs.values(), { cap: this.capValue, health: this.health, pacing: this.pacing, formatTime: this.formatTime });
    const expect = (what: string, a: unknown, b: unknown) => {
      if (JSON.stringify(a) !== JSON.stringify(b)) throw new DaycapError('BUG_INDEX', `index ${what}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`, { operatorError: false });
    };
    expect('counts', this.counts, fresh.counts);
    expect('unassigned', this.unassignedCount, fresh.unassignedCount);
    for (const [name, state] of fresh.accounts) {
      const mine = this.accounts.get(name);
      expect(`counted ${name}`, mine?.counted ?? 0, state.counted);
      expect(`claimed ${name}`, mine?.claimed ?? 0, state.claimed);
      expect(`unconfirmed ${name}`, mine?.unconfirmed ?? 0, state.unconfirmed);
      expect(`frozen ${name}`, mine?.frozenReason, state.frozenReason);
      expect(`cooldown ${name}`, mine?.coolUntil ?? -Infinity, state.coolUntil);
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
    if (job.status === 'unconfirmed') state.unconfirmed += 1;
    if (job.status === 'pending') state.addDue(job.job_id);
    if (job.status === 'retrying') this.retryHeap.push(parseTime(job.retry_at) ?? -Infinity, job.job_id);
    if (job.status === 'failed' && isFreezingRow(job, this.health)) state.setFreezing(job.job_id, freezeReason(job));
    if (job.extra) state.setCooldown(job.job_id, cooldownEndOf(job));
    if (this.capRule.rolling && job.status === 'success') state.addPost(parseTime(job.completed_at) ?? -Infinity);
    if (this.pacing.minGapMs > 0 || this.pacing.jitterMs > 0) this.noteAttemptEnd(state, job);
  }

  /** The gap runs from the end of an account's latest attempt, whatever its outcome. */
  private noteAttemptEnd(state: AccountState, job: Job): void {
    const endedAt = parseTime(job.completed_at);
    if (endedAt === undefined || endedAt <= state.lastEndAt) return;
    state.lastEndAt = endedAt;
    state.gapUntil = endedAt + this.pacing.minGapMs + Math.floor(this.random() * this.pacing.jitterMs);
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
    if (job.status === 'unconfirmed') state.unconfirmed -= 1;
    if (job.status === 'failed') state.setFreezing(job.job_id, undefined);
    if (job.extra) state.setCooldown(job.job_id, undefined);
    if (this.capRule.rolling && job.status === 'success') state.removePost(parseTime(job.completed_at) ?? -Infinity);
    // Stale heap entries for a retrying job are skipped when popped (see promoteDue).
    state.deleteDue(job.job_id);
  }

  /** Moves retrying jobs whose time has come into their account's due set. */
  private promoteDue(now: number): void {
    this.noteNow(now);
    for (let gate = this.gateHeap.peek(); gate && gate.key <= now; gate = this.gateHeap.peek()) {
      this.gateHeap.pop();
      if (gate.value.gateKey !== gate.key) continue;
      gate.value.gateKey = undefined;
      this.refresh(gate.value);
    }
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

  private noteNow(now: number): void {
    if (now > this.now) this.now = now;
  }

  /**
   * Keeps `ready` true to the claim rules for one account; an account held by a rule that ends by
   * itself waits in the gate heap; jobs held back by the day's cap are noted for the log.
   */
  private refresh(state: AccountState): void {
    if (state.due.size === 0) {
      this.ready.delete(state);
      return;
    }
    const hold = state.hold(this.now, this.capRule);
    if (!hold) {
      this.ready.add(state);
      return;
    }
    this.ready.delete(state);
    if ('until' in hold && hold.until !== undefined && (state.gateKey === undefined || hold.until < state.gateKey)) {
      state.gateKey = hold.until;
      this.gateHeap.push(hold.until, state);
    }
    if (hold.rule === 'at-cap' && !this.capRule.rolling) {
      for (const jobId of state.due) {
        if (this.capReported.has(jobId)) continue;
        this.capReported.add(jobId);
        this.capSkips.push({ jobId, account: state.name, cap: this.capValue });
      }
    }
  }

  /**
   * Jobs newly held back by the day's cap since the last call, each once per pass. Any transition
   * may cause them (an outcome made durable, an operator's edit), not only a claim: the caller
   * takes them after each, so none is lost when no claim follows.
   */
  takeCapSkips(): CapSkip[] {
    if (this.capSkips.length === 0) return [];
    const out = this.capSkips;
    this.capSkips = [];
    return out;
  }

  /**
   * A new pass over the day (the run's first claim of a higher attempt number): jobs still held
   * back by the cap are skipped again in this pass, so they are reported again. O(accounts), once per pass.
   */
  startCapPass(): void {
    this.capReported.clear();
    for (const state of this.accounts.values()) if (state.due.size > 0) this.refresh(state);
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

/** A failed job back to pending with fresh attempts, its failure forgotten (retry-failed, unfreeze). */
function revive(row: Job): void {
  clearClaim(row);
  row.attempts = 0;
  row.error = '';
  row.error_type = '';
  row.error_category = '';
}

function clearClaim(row: Job): void {
  row.status = 'pending';
  row.worker_id = '';
  row.claimed_at = '';
  row.retry_at = '';
  row.run_id = '';
}

/** A retry-after with nothing else to explain the failure is a rate limit. */
function classifyWithRetryAfter(failure: FailureInput, rules: readonly CategoryRule[]): ErrorClass {
  const cls = classifyFailure(failure, rules);
  if (failure.retryAfterMs !== undefined && cls.category === 'unknown' && failure.category === undefined) {
    return { category: 'rate_limit', type: failure.type ?? 'rate_limited', retryable: failure.retryable ?? true };
  }
  return cls;
}

function holdError(jobId: string, account: string, hold: AccountHold, cap: number): DaycapError {
  switch (hold.rule) {
    case 'in-flight':
      return new DaycapError('ACCOUNT_BUSY', `job ${jobId} cannot be claimed: account ${account} already has a job in flight`);
    case 'at-cap':
      return new DaycapError('ACCOUNT_AT_CAP', capSkipLine({ jobId, account, cap }));
    case 'frozen':
      return new DaycapError('ACCOUNT_FROZEN', `job ${jobId} cannot be claimed: account ${account} is frozen (${hold.reason})`);
    case 'cooling-down':
      return new DaycapError('ACCOUNT_COOLING', `job ${jobId} cannot be claimed: account ${account} is cooling down until ${isoTime(hold.until)}`);
    case 'gap':
      return new DaycapError('ACCOUNT_GAP', `job ${jobId} cannot be claimed before ${isoTime(hold.until)}: the gap between two posts of account ${account}`);
  }
}

function describe(job: Job, now: number): string {
  if (!job.account) return `${job.status} (no account)`;
  if (job.status === 'retrying') {
    const at = parseTime(job.retry_at);
    if (at !== undefined && at > now) return `retrying (not before ${job.retry_at})`;
  }
  return job.status;
}

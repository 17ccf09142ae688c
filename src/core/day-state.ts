/**
 * The day in memory with its rules: claims by the claim policy, outcomes by the moves of
 * core/transitions.ts, each applied to the rows (core/day-rows.ts), which keep the indexes true, so
 * a claim costs O(1). Pure: no I/O and no clock (`now` is passed in). Operator actions are in
 * core/operator-actions.ts.
 */
import { accountHold, GlobalGate, holdError, type AccountHold, type CapRule, type GlobalHold } from './claim-policy.js';
import type { HeldCounts } from './day-indexes.js';
import { DayRows } from './day-rows.js';
import { cloneJob, DEFAULT_CAP, type Job, type Status } from './job.js';
import { isoTime, parseTime, type FormatTime } from './time.js';
import { DEFAULT_HEALTH, DEFAULT_PACING, type HealthPolicy, type PacingPolicy, type PastPost } from './policy.js';
import { claimed, failed, judgeFailure, released, skipped, succeeded, unconfirmed, verified, type ClaimContext, type FailOptions } from './transitions.js';
import { DaycapError, IllegalTransitionError } from '../errors.js';

export type { AccountNews } from './account-news.js';
export type { StepUndo } from './day-rows.js';

export interface DayOptions {
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
   * How the times written into rows look: the ledger's own convention (see core/time.ts,
   * `ledgerTimeFormat`). Default: UTC with a `Z`.
   */
  formatTime?: FormatTime;
  /**
   * Claim times of rows not given here (a database store loads only some accounts), for the global
   * rate limit, which counts every claim of the day.
   */
  claimTimes?: Iterable<number>;
}

/** Why work is held back at a moment; drives "worker idle" events and the live view. */
export interface Blockers extends HeldCounts {
  global: GlobalHold | undefined;
  /** When the earliest held account (gap, cooldown, rolling cap) may be claimed again. */
  nextAccountAt: number | undefined;
}

/** A claim, with the status its job was claimed from. */
export interface Claim {
  job: Job;
  from: Status;
}

export class DayState extends DayRows {
  readonly health: HealthPolicy;
  readonly pacing: PacingPolicy;
  readonly capRule: CapRule;
  /** Writes claimed_at, completed_at, retry_at and cooldown_until; messages keep showing UTC. */
  readonly formatTime: FormatTime;
  /** Possible posts of earlier today in archives, which the day cap counts (see DayOptions). */
  readonly archivedToday: ReadonlyMap<string, number> | undefined;
  private readonly gate: GlobalGate;
  /** The highest pass (attempt number) claimed so far: a higher one starts a new pass. */
  private pass = 0;

  constructor(jobs: Iterable<Job> = [], options: DayOptions = {}) {
    const cap = options.cap ?? DEFAULT_CAP;
    if (!Number.isInteger(cap) || cap < 1) throw new DaycapError('BAD_CAP', `the cap must be a whole number of at least 1, not ${cap}`);
    const pacing = options.pacing ?? DEFAULT_PACING;
    const health = options.health ?? DEFAULT_HEALTH;
    super({ cap: { cap, rolling: pacing.capMode === 'rolling-24h' }, health, pacing, random: options.random ?? Math.random });
    this.health = health;
    this.pacing = pacing;
    this.capRule = this.indexRules.cap;
    this.formatTime = options.formatTime ?? isoTime;
    this.archivedToday = options.archivedToday;
    if (this.capRule.rolling) for (const post of options.pastPosts ?? []) this.indexes.account(post.account).addPost(post.at);
    else for (const [account, posts] of options.archivedToday ?? []) if (account && posts > 0) this.indexes.account(account).archived = posts;
    const claimTimes: number[] = [];
    for (const job of jobs) {
      const row = options.adopt ? job : cloneJob(job);
      this.insert(row);
      if (this.pacing.perMinute !== undefined) {
        const at = parseTime(row.claimed_at);
        if (at !== undefined) claimTimes.push(at);
      }
    }
    for (const at of options.claimTimes ?? []) claimTimes.push(at);
    this.gate = new GlobalGate(this.pacing, claimTimes);
    this.drainNews();
  }

  get cap(): number {
    return this.capRule.cap;
  }

  /**
   * Sets an account's run of infrastructure failures, which memory alone keeps: a store that loads a
   * day anew for each step keeps it elsewhere and gives it back here.
   */
  restoreStreak(account: string, streak: number): void {
    this.indexes.account(account).streak = streak;
  }

  /** Why an account cannot be claimed at `now`, if it cannot. */
  accountHold(account: string, now: number): AccountHold | undefined {
    this.indexes.promoteDue(now);
    const state = this.indexes.accounts.get(account);
    return state && accountHold(state, now, this.capRule);
  }

  /** A rule over all accounts (posting window, global rate limit) holding claims back at `now`. */
  globalHold(now: number): GlobalHold | undefined {
    return this.gate.hold(now);
  }

  /** Takes the next claimable job for a worker, or none. O(1) apart from retries that fell due. */
  claimNext(ctx: ClaimContext): Claim | undefined {
    this.indexes.promoteDue(ctx.now);
    if (this.gate.hold(ctx.now)) return undefined;
    const state = this.indexes.ready.first();
    if (!state) return undefined;
    return this.claim(state.due.values().next().value as string, ctx);
  }

  /** Claims one given job; refuses (throws) unless every claim rule holds. */
  claim(jobId: string, ctx: ClaimContext): Claim {
    const job = this.require(jobId);
    this.indexes.promoteDue(ctx.now);
    const state = job.account ? this.indexes.accounts.get(job.account) : undefined;
    if (!state || !state.due.has(jobId)) throw new IllegalTransitionError(jobId, describe(job, ctx.now), 'claimed');
    const hold = accountHold(state, ctx.now, this.capRule) ?? this.gate.hold(ctx.now);
    if (hold) throw holdError(jobId, job.account, hold, this.cap);
    this.gate.recordClaim(ctx.now);
    const from = job.status;
    const claim = { job: this.apply(claimed(job, ctx, this.formatTime)), from };
    if (claim.job.pass_number > this.pass) {
      // The jobs the cap still holds back are skipped in this pass too, and said so once more.
      if (this.pass > 0) this.indexes.startCapPass();
      this.pass = claim.job.pass_number;
    }
    return claim;
  }

  succeed(jobId: string, now: number, postId = ''): Job {
    this.indexes.noteNow(now);
    const row = this.apply(succeeded(this.require(jobId), now, postId, this.formatTime));
    this.indexes.account(row.account).streak = 0;
    return row;
  }

  /** A failed attempt: `retrying` after a delay while attempts remain and the error is retryable, else `failed`. */
  fail(jobId: string, options: FailOptions): Job {
    const job = this.require(jobId);
    if (job.status !== 'claimed') throw new IllegalTransitionError(jobId, job.status, 'failed');
    this.indexes.noteNow(options.now);
    const state = this.indexes.account(job.account);
    const verdict = judgeFailure(options.failure, state.streak, this.health, options.rules, options.now);
    state.streak = verdict.streak;
    return this.apply(failed(job, { formatTime: this.formatTime, ...options }, verdict));
  }

  /** Gives a claim back unrun (a worker that never started it). */
  release(jobId: string): Job {
    return this.apply(released(this.require(jobId)));
  }

  /** A claim whose fate is unknown (a dead run or a dead worker): it still counts toward the cap (G5). */
  markUnconfirmed(jobId: string, now: number): Job {
    this.indexes.noteNow(now);
    return this.apply(unconfirmed(this.require(jobId), now, this.formatTime));
  }

  /** The handler's verify verdict on an unconfirmed job; undefined when nothing changed. */
  settle(jobId: string, verdict: 'posted' | 'not-posted' | 'unknown', now: number, postId = ''): Job | undefined {
    const next = verified(this.require(jobId), verdict, now, this.formatTime, postId);
    return next && this.apply(next);
  }

  skip(jobId: string, reason: string): Job {
    return this.apply(skipped(this.require(jobId), reason));
  }

  /** When the next retry falls due, if any is waiting. */
  nextRetryAt(now: number): number | undefined {
    this.indexes.promoteDue(now);
    return this.indexes.nextRetryAt();
  }

  /** The earliest waiting retry whose attempt number would be at most `maxAttempt` (a run's --max-passes). */
  nextRetryWithin(now: number, maxAttempt: number): { at: number; attempt: number } | undefined {
    this.indexes.promoteDue(now);
    return this.indexes.nextRetryWithin(maxAttempt);
  }

  /** True while some job could be claimed now. */
  claimableNow(now: number): boolean {
    this.indexes.promoteDue(now);
    return this.indexes.ready.size > 0 && this.gate.hold(now) === undefined;
  }

  /** Some account has work that only a rule over all accounts (window, rate limit) holds back. */
  heldGlobally(now: number): GlobalHold | undefined {
    this.indexes.promoteDue(now);
    return this.indexes.ready.size > 0 ? this.gate.hold(now) : undefined;
  }

  /** When the earliest account held by a rule that ends by itself (gap, cooldown, rolling cap) may be claimed. */
  nextAccountAt(now: number): number | undefined {
    this.indexes.promoteDue(now);
    return this.indexes.nextAccountAt();
  }

  blockers(now: number): Blockers {
    this.indexes.promoteDue(now);
    return { ...this.indexes.heldCounts(now), global: this.heldGlobally(now), nextAccountAt: this.indexes.nextAccountAt() };
  }
}

function describe(job: Readonly<Job>, now: number): string {
  if (!job.account) return `${job.status} (no account)`;
  if (job.status === 'retrying') {
    const at = parseTime(job.retry_at);
    if (at !== undefined && at > now) return `retrying (not before ${job.retry_at})`;
  }
  return job.status;
}

/**
 * Every legal change of one row, as pure functions from the row as it is to the row as it will be.
 * They check the status they start from (IllegalTransitionError otherwise) and never touch indexes:
 * the in-memory day applies their result (core/day-state.ts), a database store writes it.
 * docs/ledger.md#moves-between-statuses lists the statuses and the moves between them.
 */
import { IllegalTransitionError } from '../errors.js';
import { classifyFailure, type CategoryRule, type ErrorClass, type FailureReport } from './classify.js';
import { cloneJob, type Job, type Status } from './job.js';
import { isoTime, type FormatTime } from './time.js';
import { COOLDOWN_COLUMN, type HealthPolicy } from './policy.js';

export interface ClaimContext {
  workerId: number | string;
  runId: string;
  now: number;
  /** How the claim time is written: the ledger's convention (default UTC with a `Z`). */
  formatTime?: FormatTime | undefined;
  /** Written to pass_number; by default the attempt number (pass 1 = first attempts, pass 2 = their retries…). */
  pass?: number;
}

export interface FailureInput extends FailureReport {
  /** The platform's own wait (rate limits); the longer of this and the retry delay applies. */
  retryAfterMs?: number | undefined;
}

export interface FailOptions {
  now: number;
  formatTime?: FormatTime | undefined;
  failure: FailureInput;
  retryDelayMs: number;
  rules?: readonly CategoryRule[] | undefined;
}

/** A copy of `row` changed by `change`, if `row` is in one of `from`. */
function move(row: Readonly<Job>, from: readonly Status[], to: Status, change: (next: Job) => void): Job {
  if (!from.includes(row.status)) throw new IllegalTransitionError(row.job_id, row.status, to);
  const next = cloneJob(row);
  change(next);
  return next;
}

export function claimed(row: Readonly<Job>, ctx: ClaimContext, formatTime: FormatTime = ctx.formatTime ?? isoTime): Job {
  return move(row, ['pending', 'retrying'], 'claimed', (next) => {
    next.status = 'claimed';
    next.worker_id = String(ctx.workerId);
    next.claimed_at = formatTime(ctx.now);
    next.completed_at = '';
    next.retry_at = '';
    next.pass_number = ctx.pass ?? next.attempts + 1;
    next.run_id = ctx.runId;
  });
}

export function succeeded(row: Readonly<Job>, now: number, postId = '', formatTime: FormatTime = isoTime): Job {
  return move(row, ['claimed'], 'success', (next) => {
    next.status = 'success';
    next.completed_at = formatTime(now);
    next.error = '';
    next.error_type = '';
    next.error_category = '';
    next.attempts += 1;
    if (postId) next.video_id = postId;
  });
}

/** What a failed attempt decides: the class of the error, and until when the account cools down. */
export interface FailureVerdict {
  cls: ErrorClass;
  coolUntil: number | undefined;
  /** The account's run of infrastructure failures after this one. */
  streak: number;
}

/**
 * The cooldown a failure puts on its account: the platform's retry-after, a default for a "slow
 * down" type without one, or a streak of infrastructure failures on the same account.
 */
export function judgeFailure(failure: FailureInput, streak: number, health: HealthPolicy, rules: readonly CategoryRule[] | undefined, now: number): FailureVerdict {
  const cls = classifyWithRetryAfter(failure, rules);
  let coolUntil: number | undefined;
  if (failure.retryAfterMs !== undefined) coolUntil = now + failure.retryAfterMs;
  else if (health.cooldownTypes.includes(cls.type)) coolUntil = now + health.defaultCooldownMs;
  let nextStreak = cls.category === 'infrastructure' ? streak + 1 : 0;
  if (health.failureStreak > 0 && nextStreak >= health.failureStreak) {
    nextStreak = 0;
    coolUntil = Math.max(coolUntil ?? -Infinity, now + health.streakCooldownMs);
  }
  return { cls, coolUntil, streak: nextStreak };
}

/** A failed attempt: `retrying` after a delay while attempts remain and the error is retryable, else `failed`. */
export function failed(row: Readonly<Job>, options: FailOptions, verdict: FailureVerdict): Job {
  const { failure, now } = options;
  const stamp = options.formatTime ?? isoTime;
  const { cls, coolUntil } = verdict;
  const attempts = row.attempts + 1;
  const retry = cls.retryable && attempts < row.max_attempts;
  const retryAt = Math.max(now + Math.max(options.retryDelayMs, failure.retryAfterMs ?? 0), coolUntil ?? -Infinity);
  return move(row, ['claimed'], retry ? 'retrying' : 'failed', (next) => {
    next.attempts = attempts;
    next.status = retry ? 'retrying' : 'failed';
    next.retry_at = retry ? stamp(retryAt) : '';
    next.completed_at = stamp(now);
    next.error = failure.message;
    next.error_category = cls.category;
    next.error_type = cls.type;
    if (coolUntil !== undefined) next.extra = { ...next.extra, [COOLDOWN_COLUMN]: stamp(coolUntil) };
  });
}

/** A claim given back unrun (a worker that never started it). */
export function released(row: Readonly<Job>): Job {
  return move(row, ['claimed'], 'pending', clearClaim);
}

/** A claim whose fate is unknown (a dead run or a dead worker): it still counts toward the cap (G5). */
export function unconfirmed(row: Readonly<Job>, now: number, formatTime: FormatTime = isoTime): Job {
  return move(row, ['claimed'], 'unconfirmed', (next) => {
    next.status = 'unconfirmed';
    next.completed_at = formatTime(now);
    next.error = next.error || 'in flight when its run or worker died; may have posted';
  });
}

/** The handler's verify verdict on an unconfirmed job (with the post id it found, if any); undefined for `unknown` (nothing changes). */
export function verified(row: Readonly<Job>, verdict: 'posted' | 'not-posted' | 'unknown', now: number, formatTime: FormatTime = isoTime, postId = ''): Job | undefined {
  const to: Status = verdict === 'posted' ? 'success' : 'pending';
  if (row.status !== 'unconfirmed') throw new IllegalTransitionError(row.job_id, row.status, to);
  if (verdict === 'unknown') return undefined;
  return move(row, ['unconfirmed'], to, (next) => {
    if (verdict === 'not-posted') return clearClaim(next);
    next.status = 'success';
    next.completed_at = formatTime(now);
    next.error = '';
    if (postId) next.video_id = postId;
  });
}

/** A claim or an unconfirmed job back to pending (`daycap release-stale`). */
export function releasedStale(row: Readonly<Job>): Job {
  return move(row, ['claimed', 'unconfirmed'], 'pending', clearClaim);
}

/** A failed job back to pending with fresh attempts, its failure forgotten (retry-failed, unfreeze). */
export function revived(row: Readonly<Job>): Job {
  return move(row, ['failed'], 'pending', (next) => {
    clearClaim(next);
    next.attempts = 0;
    next.error = '';
    next.error_type = '';
    next.error_category = '';
  });
}

export function skipped(row: Readonly<Job>, reason: string): Job {
  return move(row, ['pending', 'retrying', 'failed'], 'skipped', (next) => {
    next.status = 'skipped';
    next.retry_at = '';
    next.error = reason;
  });
}

function clearClaim(row: Job): void {
  row.status = 'pending';
  row.worker_id = '';
  row.claimed_at = '';
  row.retry_at = '';
  row.run_id = '';
}

/** A retry-after with nothing else to explain the failure is a rate limit. */
function classifyWithRetryAfter(failure: FailureInput, rules: readonly CategoryRule[] | undefined): ErrorClass {
  const cls = classifyFailure(failure, rules);
  if (failure.retryAfterMs !== undefined && cls.category === 'unknown' && failure.category === undefined) {
    return { category: 'rate_limit', type: failure.type ?? 'rate_limited', retryable: failure.retryable ?? true };
  }
  return cls;
}

/**
 * What operators (and a run's start-up) do to many rows at once: retry failed jobs, release stale
 * claims, lift a freeze, make a dead run's claims unconfirmed, apply a merged edit. Each picks its
 * rows and applies one move of core/transitions.ts to each; docs/commands.md describes them.
 */
import { isNonRetryableCategory, DEFAULT_RULES, type CategoryRule } from './classify.js';
import type { DayState } from './day-state.js';
import { isFreezingRow } from './health.js';
import { CAPPED_STATUSES, cloneJob, type Job } from './job.js';
import { parseTime } from './time.js';
import { releasedStale, revived, skipped, unconfirmed } from './transitions.js';
import { DaycapError, IllegalTransitionError } from '../errors.js';

export interface RetryFailedOptions {
  includeNonRetryable?: boolean | undefined;
  rules?: readonly CategoryRule[] | undefined;
  category?: string | undefined;
  type?: string | undefined;
}

/** Failed jobs go back to pending with fresh attempts; non-retryable ones only when asked (a category implies it). */
export function retryFailed(day: DayState, options: RetryFailedOptions = {}): Job[] {
  const includeNonRetryable = options.includeNonRetryable === true || options.category !== undefined;
  const changed: Job[] = [];
  for (const job of day.rows()) {
    if (job.status !== 'failed') continue;
    if (!includeNonRetryable && isNonRetryableCategory(job.error_category, options.rules ?? DEFAULT_RULES)) continue;
    if (options.category !== undefined && job.error_category !== options.category) continue;
    if (options.type !== undefined && job.error_type !== options.type) continue;
    changed.push(day.apply(revived(job)));
  }
  return changed;
}

/**
 * Every unconfirmed job, and claims at least `olderThanMs` old, go back to pending (`daycap
 * release-stale`). Claims of `liveRuns` (other hosts' runs on a shared ledger) are never stale.
 */
export function releaseStale(day: DayState, options: { now: number; olderThanMs: number; liveRuns?: ReadonlySet<string> | undefined }): Job[] {
  const changed: Job[] = [];
  for (const job of day.rows()) {
    const claimStale = job.status === 'claimed' && !options.liveRuns?.has(job.run_id) && options.now - (parseTime(job.claimed_at) ?? -Infinity) >= options.olderThanMs;
    const stale = job.status === 'unconfirmed' || claimStale;
    if (stale) changed.push(day.apply(releasedStale(job)));
  }
  return changed;
}

/**
 * Lifts an account's freeze (`daycap unfreeze`): its freezing failed rows go back to pending with
 * fresh attempts (the failure was the account's, not the job's), or with `retry: false` are
 * skipped. Either way nothing freezes the account any more, and its pending jobs are free.
 */
export function unfreeze(day: DayState, account: string, options: { retry: boolean }): Job[] {
  const changed: Job[] = [];
  for (const job of day.rows()) {
    if (job.account !== account || !isFreezingRow(job, day.health)) continue;
    const next = options.retry ? revived(job) : skipped(job, `not retried after the account was unfrozen; it failed with: ${job.error}`);
    changed.push(day.apply(next));
  }
  return changed;
}

/** Claims left behind by other runs become unconfirmed (G5); never those of `liveRuns` (other hosts' runs on a shared ledger). */
export function adoptOrphans(day: DayState, runId: string, now: number, liveRuns?: ReadonlySet<string>): Job[] {
  const changed: Job[] = [];
  for (const job of day.rows()) {
    if (job.status === 'claimed' && job.run_id !== runId && !liveRuns?.has(job.run_id)) changed.push(day.apply(unconfirmed(job, now, day.formatTime)));
  }
  return changed;
}

/**
 * Replaces a row with an operator's edited version (a merged edit of the ledger, see
 * core/merge.ts). Refuses anything that could add to an account's count or touch a claim:
 * operators never claim or unclaim, and a row may only be counted afterwards if it was counted
 * before, on the same account (G1, G2).
 */
export function operatorUpdate(day: DayState, jobId: string, row: Job): Job {
  const job = day.require(jobId);
  if (row.job_id !== jobId) throw new DaycapError('BUG_OPERATOR_UPDATE', `operatorUpdate(${jobId}) was given row ${row.job_id}`, { operatorError: false });
  const keepsCount = CAPPED_STATUSES.has(job.status) && row.account === job.account;
  if (job.status === 'claimed' || row.status === 'claimed' || (CAPPED_STATUSES.has(row.status) && !keepsCount)) {
    throw new IllegalTransitionError(jobId, job.status, row.status);
  }
  return day.apply(cloneJob(row));
}

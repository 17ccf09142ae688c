/**
 * What failures leave behind: a line for each failed, retried or unconfirmed attempt (into the
 * history), a tally by category/type, and per account its last error.
 */
import type { Job } from '../../core/job.js';
import { oneLine, videoName } from '../text.js';
import { addFailure, nextSeq, type FailureLine, type History } from './history.js';
import type { Reducer } from './reducer.js';

export type FailureOutcome = 'failed' | 'retrying' | 'unconfirmed';

export interface FailureTally {
  category: string;
  type: string;
  /** Failed for good. */
  final: number;
  /** Failed and will be retried. */
  retried: number;
  unconfirmed: number;
}

/** What an account's failures left behind; kept only for accounts that failed. */
export interface AccountTrouble {
  failures: number;
  lastError: string;
  lastErrorAt: number;
  accountError: boolean;
}

export interface Failures {
  readonly history: History;
  /** By `category/type`. */
  readonly tallies: Map<string, FailureTally>;
  readonly trouble: Map<string, AccountTrouble>;
  /** Failed attempts during this run, retried or not. */
  failedAttempts: number;
  /** Accounts whose last failure was an account error. */
  withAccountErrors: number;
}

export function newFailures(history: History): Failures {
  return { history, tallies: new Map(), trouble: new Map(), failedAttempts: 0, withAccountErrors: 0 };
}

export const failuresReducer: Reducer<Failures, 'job-failed' | 'job-retrying' | 'job-unconfirmed'> = {
  'job-failed': (f, e) => record(f, e.job, e.workerId, 'failed', e.job.error, undefined, e.at),
  'job-retrying': (f, e) => record(f, e.job, e.workerId, 'retrying', e.job.error, e.retryAt, e.at),
  'job-unconfirmed': (f, e) => record(f, e.job, e.workerId, 'unconfirmed', e.reason, undefined, e.at),
};

function record(f: Failures, job: Job, workerId: number, outcome: FailureOutcome, message: string, retryAt: number | undefined, at: number): void {
  const category = outcome === 'unconfirmed' ? 'unconfirmed' : job.error_category || 'unknown';
  const type = outcome === 'unconfirmed' ? '' : job.error_type || 'unknown';
  const line: FailureLine = {
    seq: nextSeq(f.history), at, jobId: job.job_id, account: job.account, video: videoName(job), workerId, outcome,
    category, type, message: oneLine(message), attempts: job.attempts, maxAttempts: job.max_attempts, retryAt,
  };
  if (outcome !== 'unconfirmed') f.failedAttempts += 1;
  const key = `${category}/${type}`;
  tally(f, key, line);
  recordTrouble(f, line, category === 'unconfirmed' ? `unconfirmed: ${line.message}` : `${key}: ${line.message}`);
  addFailure(f.history, line);
}

function tally(f: Failures, key: string, line: FailureLine): void {
  let tally = f.tallies.get(key);
  if (!tally) {
    tally = { category: line.category, type: line.type, final: 0, retried: 0, unconfirmed: 0 };
    f.tallies.set(key, tally);
  }
  if (line.outcome === 'failed') tally.final += 1;
  else if (line.outcome === 'retrying') tally.retried += 1;
  else tally.unconfirmed += 1;
}

function recordTrouble(f: Failures, line: FailureLine, lastError: string): void {
  let trouble = f.trouble.get(line.account);
  if (!trouble) {
    trouble = { failures: 0, lastError: '', lastErrorAt: 0, accountError: false };
    f.trouble.set(line.account, trouble);
  }
  trouble.failures += 1;
  trouble.lastError = lastError;
  trouble.lastErrorAt = line.at;
  const accountError = line.category === 'account';
  if (accountError !== trouble.accountError) {
    trouble.accountError = accountError;
    f.withAccountErrors += accountError ? 1 : -1;
  }
}

/** Failure counts by category/type, most frequent first. */
export function failureTallies(f: Failures): FailureTally[] {
  return [...f.tallies.values()].sort((a, b) => (b.final + b.retried + b.unconfirmed) - (a.final + a.retried + a.unconfirmed));
}

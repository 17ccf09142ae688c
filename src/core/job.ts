/** The job record and its statuses (docs/ledger.md#statuses): the shape of one ledger row (docs/ledger.md#columns). */

export const STATUSES = ['pending', 'claimed', 'success', 'retrying', 'failed', 'skipped', 'unconfirmed'] as const;
export type Status = (typeof STATUSES)[number];

export function isStatus(value: string): value is Status {
  return (STATUSES as readonly string[]).includes(value);
}

/** Statuses that count toward an account's daily cap (G1). */
export const CAPPED_STATUSES: ReadonlySet<Status> = new Set(['success', 'claimed', 'unconfirmed']);
/** Statuses that make an account "taken" for seeding (docs/ledger.md#statuses). */
export const SEED_BLOCKING_STATUSES: ReadonlySet<Status> = new Set(['pending', 'claimed', 'success', 'retrying', 'unconfirmed']);

/** The seed system's columns, in order. Files with only the first nine are read too. */
export const LEDGER_COLUMNS = [
  'job_id', 'account', 'video_path', 'caption', 'status', 'worker_id', 'claimed_at', 'completed_at', 'error',
  'attempts', 'max_attempts', 'retry_at', 'error_type', 'error_category', 'pass_number', 'run_id', 'video_id',
] as const;
export type LedgerColumn = (typeof LEDGER_COLUMNS)[number];
export const REQUIRED_COLUMNS = LEDGER_COLUMNS.slice(0, 9);
export const NUMERIC_COLUMNS = ['attempts', 'max_attempts', 'pass_number'] as const;
export const TIME_COLUMNS = ['claimed_at', 'completed_at', 'retry_at'] as const;

/** Ledger times have their own module; these two are also reachable from here, where rows are. */
export { isoTime, parseTime } from './time.js';

export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_CAP = 1;
export const DEFAULT_RETRY_DELAY_MS = 5 * 60_000;

export interface Job {
  job_id: string;
  account: string;
  video_path: string;
  caption: string;
  status: Status;
  worker_id: string;
  claimed_at: string;
  completed_at: string;
  error: string;
  attempts: number;
  max_attempts: number;
  retry_at: string;
  error_type: string;
  error_category: string;
  pass_number: number;
  run_id: string;
  /** Post id returned by the handler on success, or the campaign's video id. */
  video_id: string;
  /** Columns after the seventeen known ones, kept as read and written back. */
  extra?: Record<string, string>;
}

/** A fresh pending job with every other field at its default. */
export function newJob(fields: Pick<Job, 'job_id'> & Partial<Job>): Job {
  return {
    account: '', video_path: '', caption: '', status: 'pending', worker_id: '', claimed_at: '', completed_at: '',
    error: '', attempts: 0, max_attempts: DEFAULT_MAX_ATTEMPTS, retry_at: '', error_type: '', error_category: '',
    pass_number: 0, run_id: '', video_id: '',
    ...fields,
  };
}

export function cloneJob(job: Job): Job {
  return job.extra ? { ...job, extra: { ...job.extra } } : { ...job };
}

export type StatusCounts = Record<Status, number>;
export function zeroCounts(): StatusCounts {
  return { pending: 0, claimed: 0, success: 0, retrying: 0, failed: 0, skipped: 0, unconfirmed: 0 };
}

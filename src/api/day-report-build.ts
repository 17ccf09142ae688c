/**
 * The day report built from rows: per account and per job, what was posted (with post ids), what
 * failed and why, what is left, and which accounts are frozen or cooling down. Pure: rows and
 * clock in, a report out.
 */
import { coolingAccounts, frozenAccounts } from '../core/health.js';
import { isoTime, type Job, type Status } from '../core/job.js';
import { DEFAULT_HEALTH, type HealthPolicy } from '../core/policy.js';

/** One ledger row as the report shows it; a value the row does not have is null. */
export interface DayReportJob {
  jobId: string;
  account: string;
  status: Status;
  /** The handler's post id (`video_id`), on success rows only: elsewhere that column may hold the campaign's video id. */
  postId: string | null;
  attempts: number;
  maxAttempts: number;
  claimedAt: string | null;
  completedAt: string | null;
  retryAt: string | null;
  errorCategory: string | null;
  errorType: string | null;
  error: string | null;
  videoPath: string | null;
  caption: string | null;
}

/** Jobs not finished yet, by status. */
export interface LeftCounts {
  pending: number;
  claimed: number;
  retrying: number;
  unconfirmed: number;
}

export interface DayReportAccount {
  account: string;
  posted: number;
  failed: number;
  skipped: number;
  left: LeftCounts;
  frozen?: { reason: string; jobId: string; since: string };
  coolingUntil?: string;
  coolingReason?: string;
  /** In ledger order. */
  jobs: DayReportJob[];
}

export interface DayReport {
  ledger: string;
  generatedAt: string;
  /** Journal records of a live or dead run that the CSV does not hold yet; they are in the report. */
  journalRecords: number;
  /** Who held the ledger when it was read (a run in progress), if anyone. */
  heldBy?: string;
  totals: {
    jobs: number;
    accounts: number;
    posted: number;
    failed: number;
    skipped: number;
    left: LeftCounts;
    /** Jobs without an account, which are never claimed. */
    unassigned: number;
    frozen: number;
    cooling: number;
  };
  /** Sorted by name. */
  accounts: DayReportAccount[];
  unassigned: DayReportJob[];
}

export interface BuildDayReportOptions {
  ledger: string;
  /** Epoch ms: the report's time, and the moment cooldowns are judged at. */
  now: number;
  health?: HealthPolicy | undefined;
  journalRecords?: number | undefined;
  heldBy?: string | undefined;
}

export function buildDayReport(jobs: readonly Job[], options: BuildDayReportOptions): DayReport {
  const health = options.health ?? DEFAULT_HEALTH;
  const frozen = new Map(frozenAccounts(jobs, health).map((f) => [f.account, f]));
  const cooling = new Map(coolingAccounts(jobs, options.now).map((c) => [c.account, c]));
  const byAccount = new Map<string, DayReportJob[]>();
  const unassigned: DayReportJob[] = [];
  for (const job of jobs) {
    const row = reportJob(job);
    if (!job.account) unassigned.push(row);
    else {
      const list = byAccount.get(job.account);
      if (list) list.push(row);
      else byAccount.set(job.account, [row]);
    }
  }
  const accounts = [...byAccount.keys()].sort(byCodePoint).map((account): DayReportAccount => {
    const rows = byAccount.get(account)!;
    const counts = countRows(rows);
    const freeze = frozen.get(account);
    const cool = cooling.get(account);
    return {
      account,
      ...counts,
      ...(freeze ? { frozen: { reason: freeze.reason, jobId: freeze.jobId, since: freeze.since } } : {}),
      ...(cool ? { coolingUntil: isoTime(cool.until), coolingReason: cool.reason } : {}),
      jobs: rows,
    };
  });
  const all = countRows([...accounts.flatMap((a) => a.jobs), ...unassigned]);
  return {
    ledger: options.ledger,
    generatedAt: isoTime(options.now),
    journalRecords: options.journalRecords ?? 0,
    ...(options.heldBy ? { heldBy: options.heldBy } : {}),
    totals: {
      jobs: jobs.length,
      accounts: accounts.length,
      ...all,
      unassigned: unassigned.length,
      frozen: accounts.filter((a) => a.frozen).length,
      cooling: accounts.filter((a) => a.coolingUntil !== undefined).length,
    },
    accounts,
    unassigned,
  };
}

function reportJob(job: Readonly<Job>): DayReportJob {
  return {
    jobId: job.job_id,
    account: job.account,
    status: job.status,
    postId: job.status === 'success' ? orNull(job.video_id) : null,
    attempts: job.attempts,
    maxAttempts: job.max_attempts,
    claimedAt: orNull(job.claimed_at),
    completedAt: orNull(job.completed_at),
    retryAt: orNull(job.retry_at),
    errorCategory: orNull(job.error_category),
    errorType: orNull(job.error_type),
    error: orNull(job.error),
    videoPath: orNull(job.video_path),
    caption: orNull(job.caption),
  };
}

function orNull(value: string): string | null {
  return value === '' ? null : value;
}

function countRows(rows: readonly DayReportJob[]): Pick<DayReportAccount, 'posted' | 'failed' | 'skipped' | 'left'> {
  const counts = { posted: 0, failed: 0, skipped: 0, left: { pending: 0, claimed: 0, retrying: 0, unconfirmed: 0 } };
  for (const { status } of rows) {
    if (status === 'success') counts.posted += 1;
    else if (status === 'failed' || status === 'skipped') counts[status] += 1;
    else counts.left[status] += 1;
  }
  return counts;
}

/** Names in a fixed order whatever the locale, so two reports of one ledger compare line by line. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function leftTotal(left: LeftCounts): number {
  return left.pending + left.claimed + left.retrying + left.unconfirmed;
}

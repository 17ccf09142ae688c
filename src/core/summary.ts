/** What `status` shows about a day, computed from rows: pure, shared by the file reader and the live runner. */
import { addCounts, capExceeded, type CapExceeded } from './archived-posts.js';
import { cooldownEndOf, coolingAccounts, frozenAccounts, type CoolingAccount, type FrozenAccount } from './health.js';
import { CAPPED_STATUSES, zeroCounts, type Job, type StatusCounts } from './job.js';
import { DEFAULT_HEALTH, type HealthPolicy } from './policy.js';

export interface LedgerSummary {
  jobs: number;
  counts: StatusCounts;
  /** Pending jobs without an account: never claimed. */
  unassigned: number;
  failures: Array<{ category: string; type: string; count: number }>;
  workers: Array<{ workerId: string; counts: Partial<StatusCounts> }>;
  accounts: number;
  cap: number;
  /** At or over the cap, counting today's archived posts too. */
  accountsAtCap: string[];
  /** Over the cap (ledger plus today's archives): history kept as it is, reported as a warning. */
  capExceeded: CapExceeded[];
  /** Accounts frozen for the day by an account failure, with the row that froze them. */
  frozen: FrozenAccount[];
  /** Accounts cooling down at the moment of the summary. */
  cooling: CoolingAccount[];
}

/**
 * What of a day's rows `status` needs, whatever the cap, the health policy, the clock and the
 * archives: counts, per-account posts, and the few rows that may freeze or cool an account. Small
 * beside the rows, and plain JSON: the file store keeps the digest of the CSV it last wrote
 * (src/ledger/digest-file.ts), so `status` on an unchanged ledger need not parse it.
 */
export interface DayDigest {
  jobs: number;
  counts: StatusCounts;
  unassigned: number;
  failures: LedgerSummary['failures'];
  workers: LedgerSummary['workers'];
  accounts: number;
  /** Rows in a capped status, per account (accounts with none left out); pairs, as any name may be an account. */
  posted: Array<[string, number]>;
  /** Failed rows with an account (a freeze, under some health policy) and rows that set a cooldown. */
  healthRows: Job[];
}

/** Pure: the digest of these rows. */
export function digestRows(jobs: readonly Job[]): DayDigest {
  const counts = zeroCounts();
  let unassigned = 0;
  const failures = new Map<string, { category: string; type: string; count: number }>();
  const workers = new Map<string, Partial<StatusCounts>>();
  const posted = new Map<string, number>();
  const accounts = new Set<string>();
  const healthRows: Job[] = [];
  for (const job of jobs) {
    counts[job.status] += 1;
    if (!job.account) {
      if (job.status === 'pending') unassigned += 1;
    } else {
      accounts.add(job.account);
      if (CAPPED_STATUSES.has(job.status)) posted.set(job.account, (posted.get(job.account) ?? 0) + 1);
    }
    if ((job.status === 'failed' || job.status === 'retrying') && job.error_category) {
      const key = `${job.error_category}/${job.error_type}`;
      const entry = failures.get(key) ?? { category: job.error_category, type: job.error_type, count: 0 };
      entry.count += 1;
      failures.set(key, entry);
    }
    if (job.worker_id !== '') {
      const entry = workers.get(job.worker_id) ?? {};
      entry[job.status] = (entry[job.status] ?? 0) + 1;
      workers.set(job.worker_id, entry);
    }
    // The caption and the video play no part in an account's health, and are most of a row's size.
    if ((job.status === 'failed' && job.account !== '') || cooldownEndOf(job) !== undefined) healthRows.push({ ...job, caption: '', video_path: '' });
  }
  return {
    jobs: jobs.length,
    counts,
    unassigned,
    failures: [...failures.values()].sort((a, b) => b.count - a.count || a.category.localeCompare(b.category)),
    workers: [...workers.entries()].map(([workerId, c]) => ({ workerId, counts: c })).sort((a, b) => Number(a.workerId) - Number(b.workerId) || a.workerId.localeCompare(b.workerId)),
    accounts: accounts.size,
    posted: [...posted],
    healthRows,
  };
}

/** Pure: the counts `status` shows, from rows (and the possible posts in today's archives), at `now`. */
export function summarize(jobs: readonly Job[], cap: number, now: number, health: HealthPolicy = DEFAULT_HEALTH, archivedToday: ReadonlyMap<string, number> = new Map()): LedgerSummary {
  return summarizeDigest(digestRows(jobs), cap, now, health, archivedToday);
}

/** Pure: the same from a digest of the rows. */
export function summarizeDigest(digest: DayDigest, cap: number, now: number, health: HealthPolicy = DEFAULT_HEALTH, archivedToday: ReadonlyMap<string, number> = new Map()): LedgerSummary {
  const posts = addCounts(new Map(digest.posted), archivedToday);
  return {
    jobs: digest.jobs,
    counts: { ...digest.counts },
    unassigned: digest.unassigned,
    failures: digest.failures,
    workers: digest.workers,
    accounts: digest.accounts,
    cap,
    accountsAtCap: [...posts.entries()].filter(([, n]) => n >= cap).map(([account]) => account).sort(),
    capExceeded: capExceeded(posts, cap),
    frozen: frozenAccounts(digest.healthRows, health).sort((a, b) => a.account.localeCompare(b.account)),
    cooling: coolingAccounts(digest.healthRows, now).sort((a, b) => a.until - b.until),
  };
}

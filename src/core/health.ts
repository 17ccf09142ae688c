/**
 * Account health read from the ledger's rows, so it survives a restart with nothing else on disk:
 * an account is frozen while it has a freezing failed row, and cools down until the latest
 * `cooldown_until` of its rows.
 */
import { parseTime, type Job } from './job.js';
import { COOLDOWN_COLUMN, type HealthPolicy } from './policy.js';

/** A failed row that freezes its account for the day (suspended, banned, logged out…). */
export function isFreezingRow(job: Readonly<Job>, health: HealthPolicy): boolean {
  return job.status === 'failed' && job.account !== '' && health.freezeCategories.includes(job.error_category) && !health.cooldownTypes.includes(job.error_type);
}

/** When the cooldown this row put on its account ends (epoch ms), if it put one. */
export function cooldownEndOf(job: Readonly<Job>): number | undefined {
  const text = job.extra?.[COOLDOWN_COLUMN];
  return text ? parseTime(text) : undefined;
}

export interface FrozenAccount {
  account: string;
  /** The failed row that froze it. */
  jobId: string;
  reason: string;
  since: string;
}

/** One line saying why an account is frozen, e.g. `account/suspended: Your account is suspended (job j7)`. */
export function freezeReason(job: Readonly<Job>): string {
  return `${job.error_category}/${job.error_type}: ${job.error} (job ${job.job_id})`;
}

/** Every frozen account of a ledger, with the row that froze it (the latest, if several). O(n). */
export function frozenAccounts(jobs: Iterable<Readonly<Job>>, health: HealthPolicy): FrozenAccount[] {
  const byAccount = new Map<string, FrozenAccount>();
  for (const job of jobs) {
    if (!isFreezingRow(job, health)) continue;
    const known = byAccount.get(job.account);
    // By instant, not by text: a ledger may hold naive local times and UTC ones side by side.
    if (known && endOf(known.since) >= endOf(job.completed_at)) continue;
    byAccount.set(job.account, { account: job.account, jobId: job.job_id, reason: freezeReason(job), since: job.completed_at });
  }
  return [...byAccount.values()];
}

function endOf(completedAt: string): number {
  return parseTime(completedAt) ?? -Infinity;
}

export interface CoolingAccount {
  account: string;
  until: number;
  jobId: string;
  reason: string;
}

/** Accounts still cooling down at `now`, with the row that set the latest cooldown. O(n). */
export function coolingAccounts(jobs: Iterable<Readonly<Job>>, now: number): CoolingAccount[] {
  const byAccount = new Map<string, CoolingAccount>();
  for (const job of jobs) {
    const until = cooldownEndOf(job);
    if (until === undefined || until <= now || !job.account) continue;
    const known = byAccount.get(job.account);
    if (known && known.until >= until) continue;
    byAccount.set(job.account, { account: job.account, until, jobId: job.job_id, reason: `${job.error_type || 'cooldown'}: ${job.error} (job ${job.job_id})` });
  }
  return [...byAccount.values()];
}

/**
 * The changes of an account's health that subscribers are told about (the live view, the log):
 * a failure that froze it or cooled it down, and a freeze lifted however it was lifted.
 */
import { cooldownEndOf, freezeReason, isFreezingRow } from './health.js';
import type { Job } from './job.js';
import type { HealthPolicy } from './policy.js';

export type AccountNews =
  | { kind: 'frozen'; account: string; jobId: string; reason: string }
  | { kind: 'cooling'; account: string; jobId: string; until: number; reason: string }
  | { kind: 'unfrozen'; account: string };

/**
 * What one row's change says about its account. `frozen`: the account's freeze before and after the
 * change (a freeze ends when its last freezing row changes, whatever changed it).
 */
export function accountNews(before: Readonly<Job>, row: Readonly<Job>, frozen: { before: string | undefined; after: string | undefined }, health: HealthPolicy): AccountNews[] {
  const news: AccountNews[] = [];
  if (isFreezingRow(row, health) && !isFreezingRow(before, health)) {
    news.push({ kind: 'frozen', account: row.account, jobId: row.job_id, reason: freezeReason(row) });
  }
  const until = cooldownEndOf(row);
  if (until !== undefined && until !== cooldownEndOf(before)) {
    news.push({ kind: 'cooling', account: row.account, jobId: row.job_id, until, reason: `${row.error_type}: ${row.error}` });
  }
  if (frozen.before !== undefined && frozen.after === undefined) news.push({ kind: 'unfrozen', account: before.account });
  return news;
}

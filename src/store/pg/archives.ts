/**
 * A database ledger's archives: reset-day moves today's rows to a new day number and names it as
 * the file store names its archives (`<ledger>_<YYYYMMDD>`, then `_1`, `_2`…); no row is ever
 * deleted (G4). The posts of archives dated today (and yesterday, for a rolling cap) count toward the
 * cap exactly as a file ledger's archives do (core/archived-posts.ts).
 */
import { archivedPostsToday, archivedPostsWithin24h, mayBePost, type ArchivedRow } from '../../core/archived-posts.js';
import { localDay } from '../../core/time.js';
import { LockHeldError } from '../../errors.js';
import type { ArchiveCountOptions, ArchivedPosts } from '../file-archives.js';
import type { Database, Queryable } from './connection.js';
import { describeRunner, listRunners } from './leases.js';
import { transact } from './transact.js';

/** The days a count looks at: today's local day, and yesterday's too for a rolling cap. */
function daysOf(now: number, withRecent: boolean): string[] {
  const today = new Date(now);
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1, 12).getTime();
  return withRecent ? [localDay(yesterday), localDay(now)] : [localDay(now)];
}

export async function archivedPostsOf(db: Database, ledger: string, options: Omit<ArchiveCountOptions, 'ledger' | 'archiveDir'>, withRecent: boolean): Promise<ArchivedPosts> {
  const log = options.log ?? (() => undefined);
  const days = daysOf(options.now, withRecent);
  const today = localDay(options.now);
  const archives = await db.queryRetrying<{ day: number; label: string; local_day: string; archived_at: string }>(
    `SELECT day, label, local_day, (extract(epoch FROM archived_at) * 1000)::bigint AS archived_at FROM ${db.table('archives')}
     WHERE ledger = $1 AND local_day = ANY($2::text[]) ORDER BY day`,
    [ledger, days],
  );
  const ignore = new Set(options.ignoreArchives ?? []);
  const result: ArchivedPosts = { today: new Map(), recent: [] };
  for (const archive of archives.rows) {
    if (ignore.delete(archive.label)) {
      log(`warning: ignoring archive ${archive.label} as asked (--ignore-archive); its posts do not count toward today's cap`);
      continue;
    }
    const rows = await archivedRows(db, ledger, archive.day);
    if (archive.local_day === today) {
      for (const [account, n] of archivedPostsToday(rows, options.now)) result.today.set(account, (result.today.get(account) ?? 0) + n);
    }
    if (withRecent) result.recent.push(...archivedPostsWithin24h(rows, options.now, Number(archive.archived_at)));
  }
  for (const name of ignore) log(`warning: --ignore-archive ${name} is not one of the archives this command counts (the ledger's ${withRecent ? "today's or yesterday's" : "today's"} archives); nothing was ignored`);
  return result;
}

async function archivedRows(db: Database, ledger: string, day: number): Promise<ArchivedRow[]> {
  const result = await db.queryRetrying<{ job_id: string; account: string; status: string; claimed_at: string; completed_at: string; seq: string }>(
    `SELECT job_id, account, status, claimed_at, completed_at, seq FROM ${db.table('jobs')} WHERE ledger = $1 AND day = $2 ORDER BY seq`,
    [ledger, day],
  );
  return result.rows
    .map((row) => ({ jobId: row.job_id, account: row.account, status: row.status, claimedAt: row.claimed_at, completedAt: row.completed_at, line: 0 }))
    .filter((row) => mayBePost(row.status));
}

/** The next archive label of that day: `<ledger>_<YYYYMMDD>`, then `_1`, `_2`… */
async function archiveLabel(client: Queryable, db: Database, ledger: string, now: number): Promise<string> {
  const base = `${ledger}_${localDay(now).replaceAll('-', '')}`;
  const taken = await client.query<{ label: string }>(`SELECT label FROM ${db.table('archives')} WHERE ledger = $1 AND (label = $2 OR label LIKE $3)`, [ledger, base, `${base.replace(/[\\%_]/g, '\\$&')}\\_%`]);
  const labels = new Set(taken.rows.map((row) => row.label));
  for (let n = 0; ; n++) {
    const label = n === 0 ? base : `${base}_${n}`;
    if (!labels.has(label)) return label;
  }
}

/**
 * Archives today's rows under the next day number; refused while a run uses the ledger (as the
 * file's lock refuses). Undefined when today has no rows.
 */
export async function resetDayIn(db: Database, ledger: string, now: number): Promise<string | undefined> {
  return transact(db, undefined, async (client) => {
    const row = await client.query<{ next_day: number }>(`SELECT next_day FROM ${db.table('ledgers')} WHERE name = $1 FOR UPDATE`, [ledger]);
    if (row.rowCount === 0) return undefined;
    const runs = await listRunners(db, ledger);
    if (runs.length > 0) throw new LockHeldError(db.location.display, runs.map(describeRunner).join(', '));
    const today = await client.query(`SELECT 1 FROM ${db.table('jobs')} WHERE ledger = $1 AND day = 0 LIMIT 1`, [ledger]);
    if (today.rowCount === 0) return undefined;
    const day = row.rows[0]!.next_day;
    const label = await archiveLabel(client, db, ledger, now);
    await client.query(`UPDATE ${db.table('jobs')} SET day = $2 WHERE ledger = $1 AND day = 0`, [ledger, day]);
    await client.query(`INSERT INTO ${db.table('archives')} (ledger, day, label, local_day, archived_at) VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0))`, [ledger, day, label, localDay(now), now]);
    // The accounts' readiness is an index of today's rows: the new day starts without one.
    await client.query(`DELETE FROM ${db.table('accounts')} WHERE ledger = $1`, [ledger]);
    await client.query(`UPDATE ${db.table('ledgers')} SET next_day = next_day + 1, time_format = NULL, rules_key = NULL, extra_columns = '[]' WHERE name = $1`, [ledger]);
    return label;
  });
}

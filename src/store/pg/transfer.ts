/**
 * `daycap import`: a day (a file ledger's rows as durable now, and the rows of its archives that the
 * cap counts) loaded into an empty database ledger, in one transaction. A ledger that holds any row,
 * today's or archived, is refused: an import never merges.
 */
import { DayState } from '../../core/day-state.js';
import { newJob, type Job, type Status } from '../../core/job.js';
import { detectTimeFormat } from '../../core/time.js';
import { DaycapError } from '../../errors.js';
import type { LoadedDay } from '../ledger.js';
import type { Database } from './connection.js';
import { ensureLedgerRow, refreshStatistics } from './day-setup.js';
import { insertRows, writeStep } from './day-step.js';
import { readinessOf } from './readiness.js';
import { transact } from './transact.js';

/** Rows are sent in parts of this many, so a day of 100,000 jobs is not one message. */
const ROWS_PER_INSERT = 5_000;

export async function loadInto(db: Database, ledger: string, loaded: LoadedDay, now: number): Promise<void> {
  await transact(db, undefined, async (client) => {
    await ensureLedgerRow(client, db, ledger);
    await client.query(`SELECT 1 FROM ${db.table('ledgers')} WHERE name = $1 FOR UPDATE`, [ledger]);
    const held = await client.query(`SELECT 1 FROM ${db.table('jobs')} WHERE ledger = $1 LIMIT 1`, [ledger]);
    if ((held.rowCount ?? 0) > 0) {
      throw new DaycapError('LEDGER_NOT_EMPTY', `the database ledger ${db.location.display} already holds rows; an import only fills an empty ledger`, {
        hint: 'Import into a new ledger name (the #name at the end of the URL), or export this one with `daycap export` first.',
      });
    }
    for (const archive of loaded.archives) {
      const day = (await client.query<{ day: number }>(`UPDATE ${db.table('ledgers')} SET next_day = next_day + 1 WHERE name = $1 RETURNING next_day - 1 AS day`, [ledger])).rows[0]!.day;
      const rows = archive.rows.map((row) => newJob({ job_id: row.jobId, account: row.account, status: row.status as Status, claimed_at: row.claimedAt, completed_at: row.completedAt }));
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) await insertRows(client, db, ledger, day, rows.slice(i, i + ROWS_PER_INSERT));
      await client.query(
        `INSERT INTO ${db.table('archives')} (ledger, day, label, local_day, archived_at) VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0))`,
        [ledger, day, archive.label, archive.localDay, archive.archivedAt],
      );
    }
    for (let i = 0; i < loaded.jobs.length; i += ROWS_PER_INSERT) await insertRows(client, db, ledger, 0, loaded.jobs.slice(i, i + ROWS_PER_INSERT));
    await client.query(`UPDATE ${db.table('ledgers')} SET extra_columns = $2::jsonb, time_format = $3 WHERE name = $1`, [ledger, JSON.stringify(loaded.extraColumns), detectTimeFormat(loaded.jobs) ?? null]);
    // Readiness as early as the rows allow: the first run works it out by its own rules.
    const day = new DayState(loaded.jobs as Job[]);
    const accounts = day.accountNames().filter((account) => account !== '');
    await writeStep(client, db, { ledger, updated: [], inserted: [], readiness: readinessOf(day, accounts, now, false) });
  });
  await refreshStatistics(db);
}

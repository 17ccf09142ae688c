/**
 * What a store settles once, as it opens a database ledger: the ledger's row, the convention its
 * times are written in, and the readiness of its accounts under the run's own rules (worked out
 * again when a run's rules differ from those the readiness was last worked out with).
 */
import { createHash } from 'node:crypto';
import type { Job } from '../../core/job.js';
import { COOLDOWN_COLUMN } from '../../core/policy.js';
import { detectTimeFormat, type TimeFormat } from '../../core/time.js';
import type { Database, Queryable } from './connection.js';
import { loadStep, writeStep, type DayContext } from './day-step.js';
import { readinessOf } from './readiness.js';
import type { DayRules } from '../store.js';

export async function ensureLedgerRow(client: Queryable, db: Database, ledger: string): Promise<void> {
  await client.query(`INSERT INTO ${db.table('ledgers')} (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [ledger]);
}

/**
 * The convention the ledger's times are written in: as stored, else as its rows show (kept from
 * then on), else the configured one (kept when `keep`: a run fixes it for the other hosts).
 */
export async function timeFormatOf(db: Database, ledger: string, configured: TimeFormat | undefined, keep: boolean): Promise<TimeFormat> {
  const stored = await db.queryRetrying<{ time_format: TimeFormat | null }>(`SELECT time_format FROM ${db.table('ledgers')} WHERE name = $1`, [ledger]);
  const known = stored.rows[0]?.time_format;
  if (known) return known;
  const cells = await db.queryRetrying<{ claimed_at: string; completed_at: string; retry_at: string; cooldown: string | null }>(
    `SELECT claimed_at, completed_at, retry_at, extra ->> '${COOLDOWN_COLUMN}' AS cooldown FROM ${db.table('jobs')}
     WHERE ledger = $1 AND day = 0 AND (claimed_at <> '' OR completed_at <> '' OR retry_at <> '' OR extra ? '${COOLDOWN_COLUMN}')`,
    [ledger],
  );
  const detected = detectTimeFormat(cells.rows.map((row) => ({
    claimed_at: row.claimed_at, completed_at: row.completed_at, retry_at: row.retry_at, ...(row.cooldown === null ? {} : { extra: { [COOLDOWN_COLUMN]: row.cooldown } }),
  }) as Job));
  const format = detected ?? configured ?? 'utc';
  if (detected || keep) await db.queryRetrying(`UPDATE ${db.table('ledgers')} SET time_format = $2 WHERE name = $1 AND time_format IS NULL`, [ledger, format]);
  return format;
}

/** What the accounts' readiness depends on besides the rows: the cap, health and pacing of the run, and today's archived posts. */
export function rulesKey(rules: DayRules): string {
  const { cap, health, pacing } = rules;
  const archived = [...(rules.archivedToday ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const recent = (rules.pastPosts ?? []).map((post) => [post.account, post.at]).sort();
  const key = JSON.stringify({ cap, health, capMode: pacing.capMode, minGapMs: pacing.minGapMs, jitterMs: pacing.jitterMs, archived, recent });
  return createHash('sha1').update(key).digest('hex');
}

/**
 * Works every held account's readiness out again with the run's rules, when they are not the rules
 * it was worked out with (a higher cap frees accounts a lower one held). Ready accounts need no
 * look: a time too early is harmless.
 */
export async function reindexIfRulesChanged(client: Queryable, ctx: DayContext, ledger: string, now: number): Promise<boolean> {
  const { db } = ctx;
  const key = rulesKey(ctx.rules);
  const stored = await client.query<{ rules_key: string | null }>(`SELECT rules_key FROM ${db.table('ledgers')} WHERE name = $1 FOR UPDATE`, [ledger]);
  if (stored.rows[0]?.rules_key === key) return false;
  const held = await client.query<{ account: string }>(`SELECT account FROM ${db.table('accounts')} WHERE ledger = $1 AND (ready_at_ms IS NULL OR ready_at_ms > $2)`, [ledger, now]);
  const accounts = held.rows.map((row) => row.account);
  if (accounts.length > 0) {
    const { day } = await loadStep(client, ctx, { ledger, now, accounts });
    await writeStep(client, db, { ledger, updated: [], inserted: [], readiness: readinessOf(day, accounts, now, true) });
  }
  await client.query(`UPDATE ${db.table('ledgers')} SET rules_key = $2 WHERE name = $1`, [ledger, key]);
  return true;
}

/** At least this many new rows at once and the planner's statistics are refreshed at once (see below). */
export const BULK_ROWS = 1_000;

/**
 * Refreshes the planner's statistics of the day's tables after a bulk load (an import, a large
 * seed). Until PostgreSQL's own autovacuum gets to them (up to a minute later), the planner believes
 * the tables nearly empty and plans a claim's look-ups as scans of the whole ledger: a run started
 * right after an import was then ten times slower. Only an owner may analyse; for another role
 * PostgreSQL skips it with a warning, and autovacuum does it a little later, as it would anyway.
 */
export async function refreshStatistics(db: Database): Promise<void> {
  await db.query(`ANALYZE ${db.table('jobs')}, ${db.table('accounts')}`).catch(() => undefined);
}

/**
 * One step of a database ledger, inside a transaction: lock the accounts it touches, load their rows
 * of today into a small day (core/day-state.ts) so that exactly the rules of one machine decide,
 * then write back the rows that changed and each account's readiness. Accounts are the unit of
 * locking: those a step must have (the accounts of reported jobs, an operator's rows) are waited for,
 * in name order so that two steps never wait for each other; accounts merely ready to be claimed are
 * taken with SKIP LOCKED, so two hosts never queue behind each other for the same one.
 */
import { DayState } from '../../core/day-state.js';
import type { Job } from '../../core/job.js';
import type { FormatTime } from '../../core/time.js';
import { DaycapError } from '../../errors.js';
import { createHash } from 'node:crypto';
import type { Database, Queryable } from './connection.js';
import { fenceStatement, fenceValues, type Renewal, type RunnerIdentity } from './leases.js';
import type { Readiness } from './readiness.js';
import { assignRows, columnArrays, insertColumns, jobOfRow, JOB_SELECT, unnestRows, WRITTEN_COLUMN_COUNT, type DbJobRow } from './rows.js';
import type { DayRules } from '../store.js';

export interface LoadSpec {
  ledger: string;
  now: number;
  /** Jobs whose accounts must be locked, waiting for them (the reports of an exchange). */
  jobsOf?: readonly string[];
  /** Accounts that must be locked, waiting for them. */
  accounts?: readonly string[];
  /** Up to this many accounts ready at `now`, skipping any that another step holds. */
  candidates?: number;
  /** Also the rows without an account (never claimed, never locked). */
  unassigned?: boolean;
}

export interface LoadedStep {
  day: DayState;
  /** The accounts locked, with their readiness as stored (to keep a ready account's place in the queue, and write only what changed). */
  accounts: Map<string, { readyAt: number | null; hold: string | null; streak: number }>;
}

export interface DayContext {
  db: Database;
  rules: DayRules;
  formatTime: FormatTime;
}

/** Locks the accounts and loads their rows into a day of their own. */
export async function loadStep(client: Queryable, ctx: DayContext, spec: LoadSpec): Promise<LoadedStep> {
  const { db } = ctx;
  const rateLimited = ctx.rules.pacing.perMinute !== undefined;
  // The global rate limit counts every claim of the day: steps that may claim take turns on the ledger's row (before any account, as every step locks).
  if (rateLimited) await client.query(`SELECT 1 FROM ${db.table('ledgers')} WHERE name = $1 FOR UPDATE`, [spec.ledger]);
  const account = `a.account, a.ready_at_ms, a.hold, a.streak`;
  // ARRAY(…) keeps every step an index look-up, whatever the size of the day.
  const locked = await client.query<{ account: string; ready_at_ms: string | null; hold: string | null; streak: number }>(prepared(
    `WITH wanted AS (
       SELECT unnest($2::text[]) AS account
       UNION SELECT account FROM ${db.table('jobs')} WHERE ledger = $1 AND day = 0 AND job_id = ANY($3::text[])
     ), waited AS (
       SELECT ${account} FROM ${db.table('accounts')} a
       WHERE a.ledger = $1 AND a.account = ANY(ARRAY(SELECT account FROM wanted))
       ORDER BY a.account FOR UPDATE
     ), ready AS (
       SELECT ${account} FROM ${db.table('accounts')} a
       WHERE a.ledger = $1 AND a.ready_at_ms <= $4 AND a.account <> ALL(ARRAY(SELECT account FROM waited))
       ORDER BY a.ready_at_ms, a.ready_order LIMIT $5 FOR UPDATE SKIP LOCKED
     )
     SELECT * FROM waited UNION ALL SELECT * FROM ready`,
    [spec.ledger, spec.accounts ?? [], spec.jobsOf ?? [], spec.now, spec.candidates ?? 0],
  ));
  const accounts: LoadedStep['accounts'] = new Map();
  for (const row of locked.rows) accounts.set(row.account, { readyAt: row.ready_at_ms === null ? null : Number(row.ready_at_ms), hold: row.hold, streak: row.streak });
  // The rows are read by a statement of their own, begun once the locks are held: under READ
  // COMMITTED a statement sees the day as it was when it began, so rows read by the statement that
  // took the locks could predate the step that released one of them (a claim or an outcome another
  // host committed meanwhile), and the rules would decide on a day that is gone: a job claimed
  // twice, a cap counted short. Every change to an account's rows is made under its lock.
  const loaded = await client.query<DbJobRow & { seq: string }>(prepared(
    `SELECT seq, ${JOB_SELECT} FROM ${db.table('jobs')} WHERE ledger = $1 AND day = 0 AND account = ANY($2::text[]) ORDER BY seq`,
    [spec.ledger, [...accounts.keys()]],
  ));
  const rows: Array<{ seq: number; job: Job }> = loaded.rows.map((row) => ({ seq: Number(row.seq), job: jobOfRow(row) }));
  if (spec.unassigned) {
    const loose = await client.query<DbJobRow & { seq: string }>(`SELECT seq, ${JOB_SELECT} FROM ${db.table('jobs')} WHERE ledger = $1 AND day = 0 AND account = '' ORDER BY seq`, [spec.ledger]);
    for (const row of loose.rows) rows.push({ seq: Number(row.seq), job: jobOfRow(row) });
    rows.sort((a, b) => a.seq - b.seq);
  }
  const claimTimes = rateLimited ? await recentClaims(client, db, spec.ledger, spec.now, [...accounts.keys()]) : [];
  const day = dayOf(rows.map((row) => row.job), [...accounts.keys()], ctx, claimTimes);
  for (const [account, { streak }] of accounts) if (streak > 0) day.restoreStreak(account, streak);
  return { day, accounts };
}

/** A day over some accounts' rows, with the run's rules and the archived posts of those accounts only. */
export function dayOf(jobs: readonly Job[], accounts: readonly string[], ctx: Pick<DayContext, 'rules' | 'formatTime'>, claimTimes: readonly number[] = []): DayState {
  const { rules } = ctx;
  const mine = new Set(accounts);
  const archivedToday = rules.archivedToday && new Map([...rules.archivedToday].filter(([account]) => mine.has(account)));
  const pastPosts = rules.pastPosts?.filter((post) => mine.has(post.account));
  const day = new DayState(jobs, {
    cap: rules.cap, adopt: true, health: rules.health, pacing: rules.pacing, formatTime: ctx.formatTime, claimTimes,
    ...(archivedToday ? { archivedToday } : {}), ...(pastPosts ? { pastPosts } : {}), ...(rules.random ? { random: rules.random } : {}),
  });
  // Jobs the cap held back before this step were told when it happened; only this step's are news.
  day.drainCapSkips();
  return day;
}

/** The claim times of the last minute on accounts not loaded, for the global rate limit (the ledger row is locked meanwhile). */
async function recentClaims(client: Queryable, db: Database, ledger: string, now: number, loaded: readonly string[]): Promise<number[]> {
  const result = await client.query<{ at: string }>(
    `SELECT claimed_at_ms AS at FROM ${db.table('jobs')} WHERE ledger = $1 AND day = 0 AND claimed_at_ms > $2 AND NOT (account = ANY($3::text[]))`,
    [ledger, now - 60_000, loaded],
  );
  return result.rows.map((row) => Number(row.at));
}

export interface StepWrite {
  ledger: string;
  updated: readonly Job[];
  inserted: readonly Job[];
  readiness: readonly Readiness[];
  /** A NOTIFY sent when the transaction commits: [channel, payload]. */
  notify?: readonly [string, string] | undefined;
}

/**
 * Writes a step's rows and readiness in one statement (and one more for new rows). With `fence`,
 * the same statement renews the run's lease first, and the write counts only if it held: undefined
 * then means the lease is gone and the caller must roll back.
 */
export async function writeStep(client: Queryable, db: Database, write: StepWrite, fence?: { run: RunnerIdentity; step: string }): Promise<Renewal | undefined> {
  if (write.inserted.length > 0) await insertRows(client, db, write.ledger, 0, write.inserted);
  const accounts = write.readiness;
  const first = 2 + WRITTEN_COLUMN_COUNT;
  const notifyAt = first + 4;
  const fenceAt = notifyAt + (write.notify ? 2 : 0);
  const notify = write.notify ? `, pg_notify($${notifyAt}, $${notifyAt + 1})` : '';
  const fenced = fence ? `fence AS (${fenceStatement(db, fenceAt)}), ` : '';
  const renewal = fence ? ', (SELECT count(*) FROM fence) AS fenced, (SELECT paused FROM fence) AS paused, (SELECT stop_requested FROM fence) AS stop_requested' : '';
  const result = await client.query<{ updated: string; fenced?: string; paused?: boolean; stop_requested?: boolean }>(prepared(
    `WITH ${fenced}upd AS (
       UPDATE ${db.table('jobs')} AS j SET ${assignRows()} FROM ${unnestRows(2)}
       WHERE j.ledger = $1 AND j.day = 0 AND j.job_id = u.job_id RETURNING 1
     ), acc AS (
       INSERT INTO ${db.table('accounts')} (ledger, account, ready_at_ms, hold, streak)
       SELECT $1, a.account, a.ready_at_ms, a.hold, a.streak FROM unnest($${first}::text[], $${first + 1}::bigint[], $${first + 2}::text[], $${first + 3}::int[]) AS a(account, ready_at_ms, hold, streak)
       ON CONFLICT (ledger, account) DO UPDATE SET ready_at_ms = excluded.ready_at_ms, hold = excluded.hold, streak = excluded.streak,
         -- An account whose readiness changed goes to the back of the queue.
         ready_order = CASE WHEN excluded.ready_at_ms IS DISTINCT FROM ${db.table('accounts')}.ready_at_ms THEN excluded.ready_order ELSE ${db.table('accounts')}.ready_order END
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM upd) AS updated, (SELECT count(*) FROM acc) AS accounts${renewal}${notify}`,
    [
      write.ledger, ...columnArrays(write.updated),
      accounts.map((a) => a.account), accounts.map((a) => a.readyAt), accounts.map((a) => a.hold), accounts.map((a) => a.streak),
      ...(write.notify ?? []),
      ...(fence ? fenceValues(fence.run, fence.step) : []),
    ],
  ));
  const row = result.rows[0]!;
  if (fence && Number(row.fenced) === 0) return undefined;
  if (Number(row.updated) !== write.updated.length) {
    throw new DaycapError('BUG_PG_WRITE', `wrote ${row.updated} of ${write.updated.length} changed rows`, { operatorError: false });
  }
  return { paused: row.paused === true, stopRequested: row.stop_requested === true };
}

/**
 * The statement named by its text, so each connection plans it once: a step's two statements are
 * the same every time, and planning them would cost as much as running them.
 */
function prepared(text: string, values: unknown[]): { name: string; text: string; values: unknown[] } {
  return { name: `daycap_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text, values };
}

/** New rows of `day` (0: today), in the given order; a job id already there today is refused by name. */
export async function insertRows(client: Queryable, db: Database, ledger: string, day: number, jobs: readonly Job[]): Promise<void> {
  const { columns, values } = insertColumns();
  try {
    await client.query(
      `INSERT INTO ${db.table('jobs')} (ledger, day, ${columns}) SELECT $1, $2::int, ${values} FROM ${unnestRows(3, 'u', true)} ORDER BY u.ord`,
      [ledger, day, ...columnArrays(jobs)],
    );
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      const id = /\(ledger, job_id\)=\((?:.*), (.*)\)/.exec((error as { detail?: string }).detail ?? '')?.[1];
      throw new DaycapError('DUPLICATE_JOB', `job ${id ?? '(one of those added)'} is already in the ledger`, { cause: error });
    }
    throw error;
  }
}

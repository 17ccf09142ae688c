/**
 * What a database ledger says without changing anything: the day's rows and counts, what holds
 * work back, and what an idle run may wait for. Each is a query over today's rows and the accounts'
 * readiness (see readiness.ts), never a copy kept in memory: other hosts change the day too.
 */
import type { Blockers } from '../../core/day-state.js';
import { GlobalGate } from '../../core/claim-policy.js';
import { zeroCounts, type Job, type StatusCounts } from '../../core/job.js';
import type { PacingPolicy } from '../../core/policy.js';
import type { Database, Queryable } from './connection.js';
import { jobOfRow, JOB_SELECT, type DbJobRow } from './rows.js';
import type { Outlook, Tally } from '../store.js';

export async function todaysRows(client: Queryable, db: Database, ledger: string): Promise<Job[]> {
  const result = await client.query<DbJobRow>(`SELECT ${JOB_SELECT} FROM ${db.table('jobs')} WHERE ledger = $1 AND day = 0 ORDER BY seq`, [ledger]);
  return result.rows.map(jobOfRow);
}

export async function tallyOf(db: Database, ledger: string): Promise<Tally> {
  const result = await db.query<{ status: keyof StatusCounts; n: string; unassigned: string }>(
    `SELECT status, count(*) AS n, count(*) FILTER (WHERE account = '' AND status = 'pending') AS unassigned
     FROM ${db.table('jobs')} WHERE ledger = $1 AND day = 0 GROUP BY status`,
    [ledger],
  );
  const counts = zeroCounts();
  let jobs = 0;
  let unassigned = 0;
  for (const row of result.rows) {
    if (row.status in counts) counts[row.status] += Number(row.n);
    jobs += Number(row.n);
    unassigned += Number(row.unassigned);
  }
  return { jobs, counts, unassigned };
}

/** The rate limit's recent claims over all accounts, and the posting window: the rules over the whole day. */
async function globalGate(db: Database, ledger: string, pacing: PacingPolicy, now: number): Promise<GlobalGate> {
  if (pacing.perMinute === undefined) return new GlobalGate(pacing);
  const result = await db.query<{ at: string }>(`SELECT claimed_at_ms AS at FROM ${db.table('jobs')} WHERE ledger = $1 AND day = 0 AND claimed_at_ms > $2`, [ledger, now - 60_000]);
  return new GlobalGate(pacing, result.rows.map((row) => Number(row.at)));
}

/**
 * For an idle run: whether some account is ready and not held by another step right now (SKIP
 * LOCKED, so accounts other hosts are claiming do not wake this one for nothing), the next retry
 * within the passes, the next account freed by time, and the claims other runs hold.
 */
export async function outlookOf(db: Database, ledger: string, runId: string, pacing: PacingPolicy, now: number, maxPasses: number): Promise<Outlook> {
  const [ready, facts, gate] = await Promise.all([
    db.query(`SELECT account FROM ${db.table('accounts')} WHERE ledger = $1 AND ready_at_ms <= $2 ORDER BY ready_at_ms LIMIT 1 FOR UPDATE SKIP LOCKED`, [ledger, now]),
    db.query<{ retry_at: string | null; attempt: string | null; next_account: string | null; others: string; any_ready: boolean }>(
      `SELECT r.retry_at_ms AS retry_at, r.attempts + 1 AS attempt,
         (SELECT min(ready_at_ms) FROM ${db.table('accounts')} WHERE ledger = $1 AND ready_at_ms > $2 AND hold IN ('cooling-down', 'gap', 'at-cap')) AS next_account,
         (SELECT count(*) FROM ${db.table('jobs')} WHERE ledger = $1 AND day = 0 AND status = 'claimed' AND run_id <> $4) AS others,
         EXISTS (SELECT 1 FROM ${db.table('accounts')} WHERE ledger = $1 AND ready_at_ms <= $2) AS any_ready
       FROM (SELECT 1) AS one LEFT JOIN LATERAL (
         SELECT retry_at_ms, attempts FROM ${db.table('jobs')}
         WHERE ledger = $1 AND day = 0 AND status = 'retrying' AND account <> '' AND retry_at_ms > $2 AND attempts + 1 <= $3
         ORDER BY retry_at_ms LIMIT 1) r ON true`,
      [ledger, now, maxPasses, runId],
    ),
    globalGate(db, ledger, pacing, now),
  ]);
  const row = facts.rows[0]!;
  const hold = row.any_ready ? gate.hold(now) : undefined;
  const lockable = (ready.rowCount ?? 0) > 0;
  // An account ready now that could not be locked is in another host's step this very moment (its
  // claim, or its outcome, not committed yet, so not counted above): what that step leaves may be
  // work for this run too, so it counts as held by another run rather than let this one end the day.
  const inOthersStep = row.any_ready && !lockable ? 1 : 0;
  return {
    claimable: lockable && hold === undefined,
    retry: row.retry_at === null ? undefined : { at: Number(row.retry_at), attempt: Number(row.attempt) },
    global: hold,
    nextAccountAt: row.next_account === null ? undefined : Number(row.next_account),
    othersInFlight: Number(row.others) + inOthersStep,
  };
}

/** Why work is held back at `now`, counted by rule from the accounts' readiness. */
export async function blockersOf(db: Database, ledger: string, pacing: PacingPolicy, now: number): Promise<Blockers> {
  const [accounts, jobs, gate] = await Promise.all([
    db.query<Record<string, string | null>>(
      `SELECT count(*) FILTER (WHERE ready_at_ms <= $2) AS ready,
         count(*) FILTER (WHERE hold = 'in-flight') AS in_flight,
         count(*) FILTER (WHERE hold = 'frozen') AS frozen,
         count(*) FILTER (WHERE hold = 'at-cap' AND (ready_at_ms IS NULL OR ready_at_ms > $2)) AS at_cap,
         count(*) FILTER (WHERE hold = 'cooling-down' AND ready_at_ms > $2) AS cooling,
         count(*) FILTER (WHERE hold = 'gap' AND ready_at_ms > $2) AS gap,
         min(ready_at_ms) FILTER (WHERE ready_at_ms > $2 AND hold IN ('cooling-down', 'gap', 'at-cap')) AS next_account
       FROM ${db.table('accounts')} WHERE ledger = $1`,
      [ledger, now],
    ),
    db.query<Record<string, string | null>>(
      `SELECT count(*) FILTER (WHERE status = 'retrying' AND retry_at_ms > $2) AS retrying_later,
         min(retry_at_ms) FILTER (WHERE status = 'retrying' AND retry_at_ms > $2) AS next_retry,
         count(*) FILTER (WHERE status = 'pending' AND account = '') AS unassigned
       FROM ${db.table('jobs')} WHERE ledger = $1 AND day = 0`,
      [ledger, now],
    ),
    globalGate(db, ledger, pacing, now),
  ]);
  const a = accounts.rows[0]!;
  const j = jobs.rows[0]!;
  const claimableNow = Number(a.ready);
  return {
    claimableNow,
    accountsInFlight: Number(a.in_flight),
    accountsAtCap: Number(a.at_cap),
    accountsFrozen: Number(a.frozen),
    accountsCooling: Number(a.cooling),
    accountsInGap: Number(a.gap),
    retryingLater: Number(j.retrying_later),
    nextRetryAt: j.next_retry === null ? undefined : Number(j.next_retry),
    unassigned: Number(j.unassigned),
    global: claimableNow > 0 ? gate.hold(now) : undefined,
    nextAccountAt: a.next_account === null ? undefined : Number(a.next_account),
  };
}

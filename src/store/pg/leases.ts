/**
 * Runs on a shared ledger and their leases. Each run has a `runners` row whose `lease_until` it
 * renews on a timer and in every write transaction; a write starts by renewing the lease only if it
 * has not run out (the fence), so a run that was cut off or paused past its lease writes nothing
 * more. Any live run turns the claims of a run whose lease ran out into `unconfirmed` (G5).
 * Leases are timed by the database's clock, so hosts' clocks need not agree. docs/postgres.md#leases.
 */
import { hostname } from 'node:os';
import type { Database, Queryable } from './connection.js';
import type { RunnerInfo } from '../ledger.js';

export { DEFAULT_LEASE_MS } from './connection.js';

export interface RunnerIdentity {
  ledger: string;
  runId: string;
  command: string;
  leaseMs: number;
}

/** What a renewal learns of the operator's controls, besides that the lease still holds. */
export interface Renewal {
  paused: boolean;
  stopRequested: boolean;
}

/** The run's row, its lease starting now; refuses a run id that a live run already uses. */
export async function registerRunner(db: Database, run: RunnerIdentity): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO ${db.table('runners')} (ledger, run_id, host, pid, command, lease_until)
     VALUES ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond')
     ON CONFLICT (ledger, run_id) DO UPDATE SET host = excluded.host, pid = excluded.pid, command = excluded.command,
       started_at = now(), lease_until = excluded.lease_until, ended_at = NULL, end_reason = NULL, stop_requested = false, last_step = NULL
     WHERE ${db.table('runners')}.ended_at IS NOT NULL OR ${db.table('runners')}.lease_until <= now()`,
    [run.ledger, run.runId, hostname(), process.pid, run.command, run.leaseMs],
  );
  return result.rowCount === 1;
}

/**
 * Renews the lease if it has not run out (the fence), noting `step` as the last transaction of this
 * run; undefined when the lease is gone: the run must write nothing more.
 */
export async function renewLease(client: Queryable, db: Database, run: RunnerIdentity, step: string | null = null): Promise<Renewal | undefined> {
  const result = await client.query<{ stop_requested: boolean; paused: boolean }>(fenceStatement(db, 1), fenceValues(run, step));
  const row = result.rows[0];
  return row && { paused: row.paused, stopRequested: row.stop_requested };
}

/** The fence as a statement of its own or a part of a bigger one, its parameters numbered from `first` (see fenceValues). */
export function fenceStatement(db: Database, first: number): string {
  const [ledger, runId, leaseMs, step] = [first, first + 1, first + 2, first + 3].map((n) => `$${n}`);
  return `UPDATE ${db.table('runners')} AS r SET lease_until = now() + ${leaseMs}::bigint * interval '1 millisecond', last_step = coalesce(${step}::text, r.last_step)
     FROM ${db.table('ledgers')} AS l
     WHERE r.ledger = ${ledger} AND r.run_id = ${runId} AND r.ended_at IS NULL AND r.lease_until > now() AND l.name = r.ledger
     RETURNING r.stop_requested, l.paused`;
}

export function fenceValues(run: RunnerIdentity, step: string | null): unknown[] {
  return [run.ledger, run.runId, run.leaseMs, step];
}

/** Whether the transaction that noted `step` committed (asked after the connection broke during its COMMIT). */
export async function stepCommitted(db: Database, run: RunnerIdentity, step: string): Promise<boolean> {
  const result = await db.query<{ last_step: string | null }>(`SELECT last_step FROM ${db.table('runners')} WHERE ledger = $1 AND run_id = $2`, [run.ledger, run.runId]);
  return result.rows[0]?.last_step === step;
}

export async function endRunner(db: Database, run: RunnerIdentity, reason: string): Promise<void> {
  await db.query(`UPDATE ${db.table('runners')} SET ended_at = now(), end_reason = $3 WHERE ledger = $1 AND run_id = $2 AND ended_at IS NULL`, [run.ledger, run.runId, reason]);
}

/** The run ids whose lease holds now. */
export async function liveRunIds(client: Queryable, db: Database, ledger: string): Promise<Set<string>> {
  const result = await client.query<{ run_id: string }>(`SELECT run_id FROM ${db.table('runners')} WHERE ledger = $1 AND ended_at IS NULL AND lease_until > now()`, [ledger]);
  return new Set(result.rows.map((row) => row.run_id));
}

/** Marks the runs whose lease ran out as ended (locking their rows, so a late renewal waits and then fails); returns their ids. */
export async function expireRunners(client: Queryable, db: Database, ledger: string): Promise<string[]> {
  const result = await client.query<{ run_id: string }>(
    `UPDATE ${db.table('runners')} SET ended_at = now(), end_reason = 'lease expired'
     WHERE ledger = $1 AND ended_at IS NULL AND lease_until <= now() RETURNING run_id`,
    [ledger],
  );
  return result.rows.map((row) => row.run_id).sort();
}

/** Whether any claim of today belongs to no live run (other than `runId`): a dead run's, to adopt. */
export async function hasOrphanClaims(db: Database, ledger: string, runId: string): Promise<boolean> {
  const result = await db.query(
    `SELECT 1 FROM ${db.table('jobs')} j WHERE j.ledger = $1 AND j.day = 0 AND j.status = 'claimed' AND j.run_id <> $2
       AND NOT EXISTS (SELECT 1 FROM ${db.table('runners')} r WHERE r.ledger = $1 AND r.run_id = j.run_id AND r.ended_at IS NULL AND r.lease_until > now())
     LIMIT 1`,
    [ledger, runId],
  );
  return (result.rowCount ?? 0) > 0;
}

/** Every live run on the ledger, with what it holds now. */
export async function listRunners(db: Database, ledger: string): Promise<RunnerInfo[]> {
  const result = await db.query<{ run_id: string; host: string; pid: number; command: string; started: string; lease: string; paused: boolean; in_flight: string }>(
    `SELECT r.run_id, r.host, r.pid, r.command, (extract(epoch FROM r.started_at) * 1000)::bigint AS started,
       (extract(epoch FROM r.lease_until) * 1000)::bigint AS lease, l.paused,
       (SELECT count(*) FROM ${db.table('jobs')} j WHERE j.ledger = $1 AND j.day = 0 AND j.status = 'claimed' AND j.run_id = r.run_id) AS in_flight
     FROM ${db.table('runners')} r JOIN ${db.table('ledgers')} l ON l.name = r.ledger
     WHERE r.ledger = $1 AND r.ended_at IS NULL AND r.lease_until > now() ORDER BY r.started_at, r.run_id`,
    [ledger],
  );
  return result.rows.map((row) => ({
    runId: row.run_id, host: row.host, pid: row.pid, command: row.command, startedAt: Number(row.started),
    leaseUntil: Number(row.lease), paused: row.paused, inFlight: Number(row.in_flight),
  }));
}

/** `run 7f3c0a on host-a (pid 4242)` */
export function describeRunner(runner: Pick<RunnerInfo, 'runId' | 'host' | 'pid'>): string {
  return `run ${runner.runId} on ${runner.host} (pid ${runner.pid})`;
}

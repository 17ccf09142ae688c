/**
 * An operator's action, or a run's own start-up work, on a database ledger: the accounts whose rows
 * it may change are found and locked (waiting for them, in name order), their rows loaded, and the
 * action applied by the same code as on one machine (store/steps.ts). On a shared ledger the claims
 * of live runs on other hosts are theirs: release-stale and the adoption of orphans leave them be.
 */
import type { CapSkip } from '../../core/claim-policy.js';
import type { AccountNews } from '../../core/day-state.js';
import type { Job } from '../../core/job.js';
import { applyAction } from '../steps.js';
import type { Action } from '../store.js';
import type { Queryable } from './connection.js';
import { loadStep, type DayContext, type LoadedStep } from './day-step.js';
import { expireRunners, liveRunIds } from './leases.js';

export interface ActedIn {
  loaded: LoadedStep;
  /** Every row the action changed or added, as it was before (undefined: added). */
  changedRows: ReadonlyMap<string, Job | undefined>;
  changed: Job[];
  news: AccountNews[];
  capSkips: CapSkip[];
}

export async function actIn(client: Queryable, ctx: DayContext, request: { ledger: string; action: Action; now: number }): Promise<ActedIn> {
  const { ledger, now } = request;
  let action = request.action;
  const { db } = ctx;
  let liveRuns: Set<string> | undefined;
  if (action.kind === 'adopt-orphans') await expireRunners(client, db, ledger);
  if (action.kind === 'adopt-orphans' || action.kind === 'release-stale') liveRuns = await liveRunIds(client, db, ledger);
  if (action.kind === 'add') {
    const named = [...new Set(action.jobs.map((job) => job.account).filter((account) => account !== ''))];
    await client.query(
      `INSERT INTO ${db.table('accounts')} (ledger, account, hold) SELECT $1, a, 'idle' FROM unnest($2::text[]) AS a ORDER BY a ON CONFLICT (ledger, account) DO NOTHING`,
      [ledger, named],
    );
  }
  const accounts = await accountsOf(client, ctx, ledger, action, liveRuns);
  const loaded = await loadStep(client, ctx, { ledger, now, accounts: accounts.filter((a) => a !== ''), unassigned: accounts.includes('') });
  const { day } = loaded;
  if (action.kind === 'verified') {
    // Another run may have settled some of them meanwhile (it adopted them, or verified them at its start).
    action = { ...action, verdicts: action.verdicts.filter((v) => day.get(v.jobId)?.status === 'unconfirmed') };
  }
  day.beginStep();
  let changed: Job[];
  try {
    changed = applyAction(day, action, now, ctx.rules, { liveRuns });
  } catch (error) {
    day.undo(day.endStep());
    throw error;
  }
  const changedRows = day.endStep().rows;
  return { loaded, changedRows, changed, news: day.drainNews(), capSkips: day.drainCapSkips() };
}

/** The accounts whose rows the action may change ('' for rows without one). */
async function accountsOf(client: Queryable, ctx: DayContext, ledger: string, action: Action, liveRuns: ReadonlySet<string> | undefined): Promise<string[]> {
  const { db } = ctx;
  const select = async (where: string, values: unknown[]): Promise<string[]> => {
    const result = await client.query<{ account: string }>(`SELECT DISTINCT account FROM ${db.table('jobs')} WHERE ledger = $1 AND day = 0 AND (${where}) ORDER BY account`, [ledger, ...values]);
    return result.rows.map((row) => row.account);
  };
  switch (action.kind) {
    case 'retry-failed':
      return select(`status = 'failed'`, []);
    case 'release-stale':
      return select(`status = 'unconfirmed' OR (status = 'claimed' AND run_id <> ALL($2::text[]))`, [[...(liveRuns ?? [])]]);
    case 'adopt-orphans':
      return select(`status = 'claimed' AND run_id <> $2 AND run_id <> ALL($3::text[])`, [action.runId, [...(liveRuns ?? [])]]);
    case 'unfreeze':
      return [action.account];
    case 'skip':
      return select('job_id = ANY($2::text[])', [action.jobs.map((job) => job.jobId)]);
    case 'verified':
      return select('job_id = ANY($2::text[])', [action.verdicts.map((v) => v.jobId)]);
    case 'add':
      return [...new Set(action.jobs.map((job) => job.account))].sort();
  }
}

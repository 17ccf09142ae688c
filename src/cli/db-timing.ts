/**
 * DAYCAP_LEASE_MS and DAYCAP_DB_RETRY_MS: a shared (database) ledger's lease, and how long a run
 * keeps retrying while the database cannot be reached (docs/postgres.md#leases). Read here, and only
 * here, like DAYCAP_LOCK_STALE_MS, and passed down as options: the store code reads no environment.
 */
import { DaycapError } from '../errors.js';

export const LEASE_ENV = 'DAYCAP_LEASE_MS';
export const DB_RETRY_ENV = 'DAYCAP_DB_RETRY_MS';

export interface DbTiming {
  leaseMs?: number;
  dbRetryWindowMs?: number;
}

export function dbTiming(env: NodeJS.ProcessEnv = process.env): DbTiming {
  const lease = wholeMs(env, LEASE_ENV);
  const retry = wholeMs(env, DB_RETRY_ENV);
  return { ...(lease === undefined ? {} : { leaseMs: lease }), ...(retry === undefined ? {} : { dbRetryWindowMs: retry }) };
}

function wholeMs(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new DaycapError('BAD_DB_TIMING', `${name} must be a whole number of milliseconds, at least 1, not ${JSON.stringify(raw)}`, { exitCode: 2 });
  }
  return value;
}

/**
 * DAYCAP_LEASE_MS and DAYCAP_DB_RETRY_MS: a shared (database) ledger's lease, and how long a run
 * keeps retrying while the database cannot be reached (docs/postgres.md#leases). Read here, and only
 * here, like DAYCAP_LOCK_STALE_MS, and passed down as options: the store code reads no environment.
 */
import { wholeMsFromEnv } from './env-ms.js';

export const LEASE_ENV = 'DAYCAP_LEASE_MS';
export const DB_RETRY_ENV = 'DAYCAP_DB_RETRY_MS';

export interface DbTiming {
  leaseMs?: number;
  dbRetryWindowMs?: number;
}

export function dbTiming(env: NodeJS.ProcessEnv = process.env): DbTiming {
  const lease = wholeMsFromEnv(env, LEASE_ENV, 'BAD_DB_TIMING');
  const retry = wholeMsFromEnv(env, DB_RETRY_ENV, 'BAD_DB_TIMING');
  return { ...(lease === undefined ? {} : { leaseMs: lease }), ...(retry === undefined ? {} : { dbRetryWindowMs: retry }) };
}

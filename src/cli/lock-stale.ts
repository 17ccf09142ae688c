/**
 * DAYCAP_LOCK_STALE_MS: how long a ledger's lock may go without a refresh before another command
 * takes it over (docs/guarantees.md#g6-one-runner-per-ledger). It exists so that tests, and an
 * operator on a host with unusual pauses, can shorten or lengthen that wait; a holder known dead on this host is taken over at once
 * whatever it says. The CLI reads it here, and only here, and passes it down as `staleMs`: the
 * ledger code reads no environment.
 */
import { wholeMsFromEnv } from './env-ms.js';
import { DEFAULT_STALE_MS } from '../ledger/lock/index.js';

export const LOCK_STALE_ENV = 'DAYCAP_LOCK_STALE_MS';

/** Whole milliseconds, at least 1; unset or empty: DEFAULT_STALE_MS. A bad value is an operator's mistake (exit 2). */
export function lockStaleMs(env: NodeJS.ProcessEnv = process.env): number {
  return wholeMsFromEnv(env, LOCK_STALE_ENV, 'BAD_LOCK_STALE_MS') ?? DEFAULT_STALE_MS;
}

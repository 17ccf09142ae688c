/** The ledger lock (G6), one file per mechanism; lock.ts says how they fit together. */
export { acquireLedgerLock, readLockHolder, DEFAULT_STALE_MS, type LockOptions, type LockTiming } from './lock.js';
export type { LedgerLock } from './held.js';
export { guardWrites } from './owner-guard.js';
export { readOwner, describeOwner, type Owner } from './owner.js';

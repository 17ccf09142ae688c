/** The ledger: CSV codec, durable store (lock, journal, atomic snapshots), validation, archives. */
export { parseLedger, serializeLedger, extraColumnsOf, type ParsedLedger } from './codec.js';
export { writeFileAtomic, fsyncDir, cleanupStaleTemps } from './atomic.js';
export { realFileOps, type FileOps } from './fileOps.js';
export { acquireLedgerLock, readLockHolder, DEFAULT_STALE_MS, type LedgerLock, type LockOptions, type LockTiming } from './lock/index.js';
export { stateDir, ensureStateDir, lockPath, ownerPath, journalPath, sealedJournalsDir, controlSocketPath } from './paths.js';
export { Journal, readJournal, sealJournal, type JournalContents, type TornTail, type SealOptions } from './journal.js';
export { LedgerStore, readLedgerFile, readLedgerView, type StoreOptions, type Recovery, type LedgerFile, type LedgerView } from './store.js';
export { validateLedger, type LedgerValidation } from './validate.js';
export { archiveName, archiveLedger, todaysArchives, type ArchiveOptions } from './archive.js';
export { replay } from './replay.js';

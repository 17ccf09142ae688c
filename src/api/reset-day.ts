/** `daycap reset-day`: archives the day's ledger under a new name and frees the path (docs/ledger.md#archives). */
import { archiveLedger } from '../ledger/archive.js';
import { realFileOps } from '../ledger/fileOps.js';
import { acquireLedgerLock, guardWrites, type LockTiming } from '../ledger/lock/index.js';
import { sealJournal } from '../ledger/journal.js';
import { LedgerStore, tornTailWarning } from '../ledger/store.js';
import { validateLedger } from '../ledger/validate.js';

export interface ResetDayOptions extends LockTiming {
  ledger: string;
  archiveDir?: string | undefined;
  now: number;
  log?: ((line: string) => void) | undefined;
}

export async function resetDay(options: ResetDayOptions): Promise<{ archivedTo: string | undefined }> {
  const log = options.log ?? (() => undefined);
  const check = await validateLedger(options.ledger);
  let archivedTo: string | undefined;
  if (check.ok) {
    // Opening folds a crashed run's journal into the CSV first, so the archive is complete.
    const store = await LedgerStore.open(options.ledger, { command: 'daycap reset-day', staleMs: options.staleMs });
    const torn = tornTailWarning(store.recovered);
    if (torn) log(`warning: ${torn}`);
    try {
      archivedTo = await archiveLedger(options.ledger, { archiveDir: options.archiveDir, now: options.now, ops: store.ops });
    } finally {
      await store.close(undefined, 'reset-day');
    }
  } else {
    // An invalid ledger is archived as it is: that is how an operator gets out of a corrupt file.
    const lock = await acquireLedgerLock(options.ledger, { command: 'daycap reset-day', staleMs: options.staleMs });
    try {
      // Written through the lock's guard, as the store writes.
      const ops = guardWrites(realFileOps, lock);
      archivedTo = await archiveLedger(options.ledger, { archiveDir: options.archiveDir, now: options.now, ops });
      // A journal that could not be folded must not leak into the new day; it is kept aside, never deleted.
      await sealJournal(options.ledger, 'reset-day-unfolded', { ops });
    } finally {
      await lock.release();
    }
    log(`warning: the ledger was invalid (${check.error.message}); it was archived unchanged`);
  }
  log(archivedTo ? `Archived the day's ledger to ${archivedTo}` : `No ledger at ${options.ledger}; nothing to archive`);
  return { archivedTo };
}

/** `daycap reset-day`: archives the day's ledger under a new name and frees it for the next day (docs/ledger.md#archives). */
import type { LockTiming } from '../ledger/lock/index.js';
import { ledgerAt } from '../store/open.js';

export interface ResetDayOptions extends LockTiming {
  ledger: string;
  archiveDir?: string | undefined;
  now: number;
  log?: ((line: string) => void) | undefined;
}

export async function resetDay(options: ResetDayOptions): Promise<{ archivedTo: string | undefined }> {
  const log = options.log ?? (() => undefined);
  const ledger = ledgerAt(options.ledger, options);
  const { archivedTo } = await ledger.resetDay({ now: options.now, log });
  log(archivedTo ? `Archived the day's ledger to ${archivedTo}` : `No ledger at ${ledger.name}; nothing to archive`);
  return { archivedTo };
}

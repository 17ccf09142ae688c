/** Opening a ledger for a mutating command: the validity check of seed section 1.3, then lock and journal recovery. */
import type { LockTiming } from '../ledger/lock/index.js';
import { LedgerStore, tornTailWarning } from '../ledger/store.js';
import { validateLedger } from '../ledger/validate.js';

export interface CommandOpenOptions extends LockTiming {
  /** As the operator typed it ('daycap seed'); shown to anyone who finds the ledger locked. */
  command: string;
  /** Lines for the operator, such as a torn journal tail found while opening. */
  warn?: ((line: string) => void) | undefined;
}

/**
 * Takes the ledger for a one-shot command; an invalid ledger (0 bytes, header only, unparseable) is
 * refused as it is. A torn record at the end of a dead run's journal is reported through `warn`.
 */
export async function openForCommand(ledger: string, options: CommandOpenOptions): Promise<LedgerStore> {
  const check = await validateLedger(ledger);
  if (!check.ok) throw check.error;
  const store = await LedgerStore.open(ledger, { command: options.command, staleMs: options.staleMs });
  const torn = tornTailWarning(store.recovered);
  if (torn) options.warn?.(`warning: ${torn}`);
  return store;
}

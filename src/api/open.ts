/** Opening a ledger for a mutating command: the validity check of seed section 1.3, then lock and journal recovery. */
import { LedgerStore, tornTailWarning } from '../ledger/store.js';
import { validateLedger } from '../ledger/validate.js';

/**
 * Takes the ledger for a one-shot command; an invalid ledger (0 bytes, header only, unparseable) is
 * refused as it is. A torn record at the end of a dead run's journal is reported through `warn`.
 */
export async function openForCommand(ledger: string, command: string, warn?: ((line: string) => void) | undefined): Promise<LedgerStore> {
  const check = await validateLedger(ledger);
  if (!check.ok) throw check.error;
  const store = await LedgerStore.open(ledger, { command });
  const torn = tornTailWarning(store.recovered);
  if (torn) warn?.(`warning: ${torn}`);
  return store;
}

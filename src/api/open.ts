/** Opening a ledger for a mutating command: the validity check of seed section 1.3, then lock and journal recovery. */
import { LedgerStore } from '../ledger/store.js';
import { validateLedger } from '../ledger/validate.js';

/** Takes the ledger for a one-shot command; an invalid ledger (0 bytes, header only, unparseable) is refused as it is. */
export async function openForCommand(ledger: string, command: string): Promise<LedgerStore> {
  const check = await validateLedger(ledger);
  if (!check.ok) throw check.error;
  return LedgerStore.open(ledger, { command });
}

/**
 * A ledger a command may read or take: an invalid one (0 bytes, a header only, unparseable) is
 * refused with its validation error and left as it is (docs/commands.md#daycap-validate).
 */
import { ledgerAt, type LedgerOptions } from '../store/open.js';
import type { Ledger } from '../store/ledger.js';

export async function validLedgerAt(name: string, options: LedgerOptions = {}): Promise<Ledger> {
  const ledger = ledgerAt(name, options);
  const check = await ledger.validate();
  if (!check.ok) throw check.error;
  return ledger;
}

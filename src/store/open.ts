/** The ledger a `--ledger` names: today always a CSV file with its journal, on one machine. */
import { FileLedger, type FileLedgerOptions } from './file-ledger.js';
import type { FileStoreOptions } from './file-store.js';
import type { Ledger } from './ledger.js';

/** What opening a ledger as a store takes (everything but where it is). */
export type OpenStoreOptions = Omit<FileStoreOptions, 'staleMs'>;

export type LedgerOptions = FileLedgerOptions;

export function ledgerAt(name: string, options: LedgerOptions = {}): Ledger {
  return new FileLedger(name, options);
}

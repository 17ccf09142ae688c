/** The ledger a `--ledger` names: a CSV file with its journal on this machine, or a `postgres://` URL. */
import { FileLedger, type FileLedgerOptions } from './file-ledger.js';
import type { Ledger } from './ledger.js';
import { PgLedger, type PgLedgerOptions } from './pg/pg-ledger.js';
import { isPgUrl } from './pg/url.js';

export type { OpenStoreOptions } from './store.js';

export type LedgerOptions = FileLedgerOptions & PgLedgerOptions;

export function ledgerAt(name: string, options: LedgerOptions = {}): Ledger {
  return isPgUrl(name) ? new PgLedger(name, options) : new FileLedger(name, options);
}

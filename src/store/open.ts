/** Opens the store a `--ledger` names: today always the CSV + journal store of one machine. */
import { FileStore, type FileStoreOptions } from './file-store.js';
import type { Store } from './store.js';

export type OpenStoreOptions = FileStoreOptions;

export async function openStore(ledger: string, options: OpenStoreOptions): Promise<Store> {
  return FileStore.open(ledger, options);
}

/** Commands that read or fix an existing ledger say so plainly when there is none (usually a typo in the path). */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DaycapError } from '../errors.js';

export async function requireLedgerFile(ledger: string): Promise<void> {
  const info = await stat(ledger).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw new DaycapError('LEDGER_UNREADABLE', `cannot read ledger ${ledger}: ${error.message}`, { cause: error, hint: 'Check the path and its permissions.' });
  });
  if (!info) {
    throw new DaycapError('LEDGER_MISSING', `no ledger at ${ledger}`, {
      hint: "Check the path. A day's ledger is created by `daycap seed --ledger <csv> --state <json>` (or --campaign <dir>), or by `daycap run` with one of those.",
    });
  }
  if (!info.isFile()) throw new DaycapError('LEDGER_NOT_A_FILE', `${ledger} is not a file; --ledger takes the path of the day's CSV ledger`);
}

/** Commands that create or move a ledger need its folder; saying so beats a lock error about `<ledger>.lock`. */
export async function requireLedgerFolder(ledger: string): Promise<void> {
  const folder = dirname(ledger);
  const info = await stat(folder).catch(() => undefined);
  if (!info) throw new DaycapError('LEDGER_FOLDER_MISSING', `the folder of ledger ${ledger} (${folder}) does not exist`, { hint: 'Check the path, or create the folder first.' });
  if (!info.isDirectory()) throw new DaycapError('LEDGER_FOLDER_MISSING', `${folder} is not a folder, so ${ledger} cannot be a ledger path`);
}

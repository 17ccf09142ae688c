/**
 * Is the ledger usable (docs/commands.md#daycap-validate)? Like the seed system's
 * validate_progress_file, it only reports: an empty, header-only or unparseable ledger is never
 * deleted or rewritten; the operator decides.
 */
import type { Job } from '../core/job.js';
import { InputError, LedgerInvalidError } from '../errors.js';
import { readLedgerView, type LedgerView } from './read.js';

export type LedgerValidation =
  | { ok: true; exists: boolean; jobs: Job[] }
  | { ok: false; error: LedgerInvalidError | InputError };

/**
 * A missing ledger is fine (nothing to protect yet). A damaged journal is returned as its own
 * InputError, whose hint (move the journal aside) is the right action; a CSV that does not parse is
 * wrapped in a LedgerInvalidError so the message starts with VALIDATION FAILED.
 */
export async function validateLedger(path: string, read: () => Promise<LedgerView> = () => readLedgerView(path)): Promise<LedgerValidation> {
  let view;
  try {
    view = await read();
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    if (err.code === 'JOURNAL_DAMAGED') return { ok: false, error: err };
    return { ok: false, error: new LedgerInvalidError(path, `appears corrupt: ${err.message}`, { cause: err }) };
  }
  if (!view.exists) return { ok: true, exists: false, jobs: [] };
  if (view.jobs.length === 0) {
    const what = view.csvBytes === 0 ? 'is empty (0 bytes)' : 'is empty (header only)';
    return { ok: false, error: new LedgerInvalidError(path, `${what}. This may indicate a crash during write.`) };
  }
  return { ok: true, exists: true, jobs: view.jobs };
}

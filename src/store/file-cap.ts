/**
 * The daily cap recorded on a file ledger: `cap.json` in its state folder, replaced atomically. No
 * file means no cap recorded; a damaged one (unreadable, not JSON, no whole cap) is ignored with a
 * warning, so it can never stop a day: the next seed or run given a cap writes it again.
 */
import { readFile } from 'node:fs/promises';
import { validRecordedCap } from '../core/day-cap.js';
import { writeFileAtomic } from '../ledger/atomic.js';
import { errorCode } from '../ledger/fileOps.js';
import { capPath, ensureStateDir } from '../ledger/paths.js';

export async function readRecordedCap(ledgerPath: string, warn: (line: string) => void = () => undefined): Promise<number | undefined> {
  const path = capPath(ledgerPath);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return undefined;
    warn(damaged(path, (error as Error).message));
    return undefined;
  }
  let cap: number | undefined;
  try {
    cap = validRecordedCap((JSON.parse(text) as { cap?: unknown } | null)?.cap);
  } catch {
    cap = undefined;
  }
  if (cap === undefined) warn(damaged(path, 'it does not hold a cap of 1 or more'));
  return cap;
}

export async function writeRecordedCap(ledgerPath: string, cap: number): Promise<void> {
  await ensureStateDir(ledgerPath);
  await writeFileAtomic(capPath(ledgerPath), `${JSON.stringify({ cap })}\n`);
}

function damaged(path: string, why: string): string {
  return `warning: the ledger's recorded cap (${path}) was ignored: ${why}; give --cap to seed or run to record it again`;
}

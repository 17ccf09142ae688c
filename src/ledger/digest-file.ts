/**
 * The digest of the CSV daycap last wrote (src/core/summary.ts), kept beside the ledger with the
 * size and sha256 of those bytes. While the CSV still holds exactly those bytes and no run has a
 * journal open, `status` reads the digest instead of parsing every row: hashing the file costs a
 * tenth of parsing it. Any other bytes (an outside edit, a restored copy) simply miss it.
 */
import { readFile, stat } from 'node:fs/promises';

import { digestRows, type DayDigest } from '../core/summary.js';
import type { Job } from '../core/job.js';
import { writeFileAtomic } from './atomic.js';
import { errorCode, type FileOps } from './fileOps.js';
import { digestPath, ensureStateDir, journalPath } from './paths.js';
import { sha256 } from './watch-judge.js';

interface KeptDigest {
  version: 1;
  csvBytes: number;
  csvSha256: string;
  digest: DayDigest;
}

/** Keeps the digest of `rows`, which the CSV now holds as bytes of this size and hash. */
export async function keepDigest(ledgerPath: string, csv: { bytes: number; sha256: string }, rows: readonly Job[], ops: FileOps): Promise<void> {
  const kept: KeptDigest = { version: 1, csvBytes: csv.bytes, csvSha256: csv.sha256, digest: digestRows(rows) };
  await ensureStateDir(ledgerPath, ops);
  await writeFileAtomic(digestPath(ledgerPath), JSON.stringify(kept), ops);
}

/** The kept digest, if the CSV holds the bytes it was made from and no journal is open; else undefined. */
export async function readKeptDigest(ledgerPath: string): Promise<DayDigest | undefined> {
  if (await exists(journalPath(ledgerPath))) return undefined;
  let kept: KeptDigest;
  try {
    kept = JSON.parse(await readFile(digestPath(ledgerPath), 'utf8')) as KeptDigest;
  } catch {
    // None kept, or not readable as one: the rows are read instead.
    return undefined;
  }
  if (!isKeptDigest(kept)) return undefined;
  let bytes: Buffer;
  try {
    bytes = await readFile(ledgerPath);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  if (bytes.length !== kept.csvBytes || sha256(bytes) !== kept.csvSha256) return undefined;
  // A run that started meanwhile has a journal: its rows are newer than the digest.
  if (await exists(journalPath(ledgerPath))) return undefined;
  return kept.digest;
}

function isKeptDigest(value: unknown): value is KeptDigest {
  const kept = value as Partial<KeptDigest> | null;
  const digest = kept?.digest;
  return typeof kept === 'object' && kept !== null && kept.version === 1 && typeof kept.csvBytes === 'number' && typeof kept.csvSha256 === 'string'
    && typeof digest === 'object' && digest !== null && typeof digest.jobs === 'number' && typeof digest.counts === 'object'
    && Array.isArray(digest.posted) && Array.isArray(digest.healthRows) && Array.isArray(digest.failures) && Array.isArray(digest.workers);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false;
    throw err;
  }
}

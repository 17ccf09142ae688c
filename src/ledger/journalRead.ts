/** Reading a journal back: every whole record in order, and the torn tail a crash may have left. */
import type { Job } from '../core/job.js';
import { InputError } from '../errors.js';
import { errorCode, realFileOps, type FileOps } from './fileOps.js';
import { decodeRecord } from './journalRecord.js';

/** The end of a journal that a crash cut short: set aside, never applied. */
export interface TornTail {
  /** Byte offset where the first bad record starts; the tail runs from there to the end of the file. */
  offset: number;
  length: number;
  reason: string;
}

export interface JournalContents {
  exists: boolean;
  /** One per record, in file order (the same job_id may appear many times). */
  jobs: Job[];
  tornTail?: TornTail;
}

export async function readJournal(path: string, ops: FileOps = realFileOps): Promise<JournalContents> {
  let bytes: Buffer;
  try {
    bytes = await ops.readFile(path);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return { exists: false, jobs: [] };
    throw err;
  }
  return { exists: true, ...scanJournal(bytes, path) };
}

/**
 * A write that a crash interrupts can only damage the end of an append-only file, so bad records
 * with nothing good after them are a torn tail. A bad record followed by a good one is something
 * else (disk damage, an edit) and nothing is guessed.
 */
export function scanJournal(bytes: Buffer, file: string): Omit<JournalContents, 'exists'> {
  const jobs: Job[] = [];
  let firstBad: { offset: number; line: number; reason: string } | undefined;
  let line = 0;
  for (let pos = 0; pos < bytes.length;) {
    line++;
    const lf = bytes.indexOf(0x0a, pos);
    const record = bytes.subarray(pos, lf === -1 ? bytes.length : lf);
    const decoded = decodeRecord(record);
    const complete = lf !== -1;
    if (decoded.ok && complete) {
      if (firstBad) throw damaged(file, firstBad.line, firstBad.reason, line);
      jobs.push(decoded.job);
    } else if (!firstBad) {
      const reason = !decoded.ok && (complete || decoded.reason === 'zero-filled') ? decoded.reason : 'incomplete record (no line end)';
      firstBad = { offset: pos, line, reason };
    }
    pos = lf === -1 ? bytes.length : lf + 1;
  }
  if (!firstBad) return { jobs };
  return { jobs, tornTail: { offset: firstBad.offset, length: bytes.length - firstBad.offset, reason: firstBad.reason } };
}

function damaged(file: string, line: number, reason: string, goodLine: number): InputError {
  return new InputError('JOURNAL_DAMAGED', { file, line }, `journal record on line ${line} is damaged (${reason}) but good records follow it (line ${goodLine}), so this is not a crash's torn end`, {
    hint: 'Inspect the journal. The ledger CSV itself is intact: to start from the CSV alone (losing the changes only this journal holds), move the journal file aside (do not delete it) and run again.',
  });
}

/** Read-only access to a ledger: never writes, never takes the lock, works beside a live run. */
import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

import type { Job } from '../core/job.js';
import { extraColumnsOf, parseLedger, type ParsedLedger } from './codec.js';
import { errorCode } from './fileOps.js';
import { readJournal, type TornTail } from './journalRead.js';
import { journalPath } from './paths.js';
import { replay } from './replay.js';

export interface LedgerFile {
  exists: boolean;
  bytes: Buffer;
  /** Present whenever the file exists (an empty file parses to no jobs). */
  parsed?: ParsedLedger;
}

/** Throws InputError on a file that does not parse. */
export async function readLedgerFile(path: string): Promise<LedgerFile> {
  const raw = await readIdentified(path);
  if (!raw) return { exists: false, bytes: Buffer.alloc(0) };
  return { exists: true, bytes: raw.bytes, parsed: parseLedger(raw.bytes, path) };
}

export interface LedgerView {
  /** The CSV with the active journal replayed on top: what a live run has made durable. */
  jobs: Job[];
  extraColumns: string[];
  /** The CSV exists, or a journal holds rows for it. */
  exists: boolean;
  /** Size of the CSV file (0 when missing). */
  csvBytes: number;
  /** Records in the active journal (0 when there is none). */
  journalRecords: number;
  tornTail?: TornTail;
  /** The identities of the CSV and the journal read (no older than their bytes), to tell whether either changed since. */
  readonly moment?: string;
}

/** A snapshot replaces the CSV while we read the journal: read again, so CSV and journal are from one moment. */
const MAX_ATTEMPTS = 5;

/**
 * With `previous` (an earlier view of the same ledger): when neither the CSV nor the journal has
 * changed since, that view itself is returned instead of reading the files again: commands validate
 * a ledger and then read it.
 */
export async function readLedgerView(path: string, previous?: LedgerView): Promise<LedgerView> {
  if (previous?.moment !== undefined && previous.moment === await momentOf(path)) return previous;
  for (let attempt = 1; ; attempt++) {
    // Each identity is taken before its bytes are read, so an unchanged identity later means unchanged bytes.
    const journalIdentity = await readIdentity(journalPath(path));
    const raw = await readIdentified(path);
    const journal = await readJournal(journalPath(path));
    const again = await readIdentity(path);
    if (again !== raw?.identity && attempt < MAX_ATTEMPTS) continue;
    const parsed = raw ? parseLedger(raw.bytes, path) : undefined;
    const view: LedgerView = {
      jobs: replay(parsed?.jobs ?? [], journal.jobs),
      extraColumns: extraColumnsOf(journal.jobs, parsed?.extraColumns ?? []),
      exists: raw !== undefined || journal.jobs.length > 0,
      csvBytes: raw?.bytes.length ?? 0,
      journalRecords: journal.jobs.length,
      moment: `${raw?.identity}|${journalIdentity}`,
    };
    if (journal.tornTail) view.tornTail = journal.tornTail;
    return view;
  }
}

async function momentOf(path: string): Promise<string> {
  const journalIdentity = await readIdentity(journalPath(path));
  return `${await readIdentity(path)}|${journalIdentity}`;
}

/** The bytes and an identity that changes whenever a snapshot renames a new file into place. */
async function readIdentified(path: string): Promise<{ bytes: Buffer; identity: string } | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const identity = identityOf(await handle.stat());
    return { bytes: await handle.readFile(), identity };
  } finally {
    await handle.close();
  }
}

async function readIdentity(path: string): Promise<string | undefined> {
  try {
    return identityOf(await stat(path));
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

function identityOf(info: Stats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`;
}

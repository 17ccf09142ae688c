/**
 * Where daycap keeps its own files beside a ledger: all in one hidden folder per ledger, so an
 * operator sees one extra entry and can move the ledger's history with it.
 */
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { realFileOps, type FileOps } from './fileOps.js';

/** `<dir>/.<basename>.daycap` */
export function stateDir(ledgerPath: string): string {
  return join(dirname(ledgerPath), `.${basename(ledgerPath)}.daycap`);
}

/**
 * proper-lockfile's lock directory. In the state folder, not at `<ledger>.lock`: the seed system's
 * tracker leaves an empty file of that name beside its ledger for good, and daycap must not take
 * it for a lock of its own (nor touch it).
 */
export function lockPath(ledgerPath: string): string {
  return join(stateDir(ledgerPath), 'lock');
}

export function ownerPath(ledgerPath: string): string {
  return join(stateDir(ledgerPath), 'owner.json');
}

/** Held for the moment a lock is taken or taken over (see src/ledger/lock/gate.ts). */
export function lockGatePath(ledgerPath: string): string {
  return join(stateDir(ledgerPath), 'lock.gate');
}

export function journalPath(ledgerPath: string): string {
  return join(stateDir(ledgerPath), 'journal.jsonl');
}

/** The digest of the CSV daycap last wrote (src/ledger/digest-file.ts). */
export function digestPath(ledgerPath: string): string {
  return join(stateDir(ledgerPath), 'digest.json');
}

export function sealedJournalsDir(ledgerPath: string): string {
  return join(stateDir(ledgerPath), 'journals');
}

/** The daily cap recorded on the ledger (src/store/file-cap.ts). */
export function capPath(ledgerPath: string): string {
  return join(stateDir(ledgerPath), 'cap.json');
}

export function controlSocketPath(ledgerPath: string): string {
  return join(stateDir(ledgerPath), 'control.sock');
}

/**
 * Creates the state folder (0700: it names pids, hosts and commands) and returns it. When the folder
 * is new, its parent is fsync'd so that files created in it later do not vanish with it on a crash.
 */
export async function ensureStateDir(ledgerPath: string, ops: FileOps = realFileOps): Promise<string> {
  return ensureDir(stateDir(ledgerPath), 0o700, ops);
}

export async function ensureSealedJournalsDir(ledgerPath: string, ops: FileOps = realFileOps): Promise<string> {
  await ensureStateDir(ledgerPath, ops);
  return ensureDir(sealedJournalsDir(ledgerPath), 0o700, ops);
}

async function ensureDir(dir: string, mode: number, ops: FileOps): Promise<string> {
  const created = await mkdir(dir, { recursive: true, mode });
  if (created !== undefined) await ops.fsyncDir(dirname(dir));
  return dir;
}

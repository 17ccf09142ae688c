/**
 * reset-day's archive (docs/ledger.md#archives): `<name>_<YYYYMMDD>.csv`, then `_1`, `_2`… Never over an
 * existing file (G4), and an invalid ledger is archived as it is: that is the way out of a corrupt file.
 */
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

import { localDay } from '../core/time.js';
import { storageFailure } from '../errors.js';
import { errorCode, realFileOps, type FileOps } from './fileOps.js';
import { escapeRegExp } from './regexp.js';

export interface ArchiveOptions {
  /** Default: the ledger's folder. */
  archiveDir?: string | undefined;
  /** Epoch ms; the archive is dated by the local calendar day. */
  now: number;
  ops?: FileOps;
}

function ledgerName(ledgerPath: string): string {
  return basename(ledgerPath).replace(/\.csv$/i, '');
}

/** `YYYYMMDD` of the local day, as the seed system names its archives. */
function archiveDay(date: Date): string {
  return localDay(date.getTime()).replaceAll('-', '');
}

function candidate(ledgerPath: string, date: Date, dir: string, n: number): string {
  return join(dir, `${ledgerName(ledgerPath)}_${archiveDay(date)}${n === 0 ? '' : `_${n}`}.csv`);
}

/** The first free archive name for that day (advisory: archiveLedger claims a name atomically). */
export async function archiveName(ledgerPath: string, date: Date, archiveDir?: string, ops: FileOps = realFileOps): Promise<string> {
  const dir = archiveDir ?? dirname(ledgerPath);
  for (let n = 0; ; n++) {
    const name = candidate(ledgerPath, date, dir, n);
    try {
      await ops.stat(name);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return name;
      throw err;
    }
  }
}

/**
 * Moves the ledger to its archive name and returns that name; undefined when there is no ledger.
 * The caller holds the lock and has folded any journal into the CSV.
 */
export async function archiveLedger(ledgerPath: string, opts: ArchiveOptions): Promise<string | undefined> {
  const ops = opts.ops ?? realFileOps;
  const dir = opts.archiveDir ?? dirname(ledgerPath);
  const date = new Date(opts.now);
  try {
    await ops.stat(ledgerPath);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw storageFailure(`could not archive ${ledgerPath}`, err);
  }
  try {
    await mkdir(dir, { recursive: true });
    for (let n = 0; ; n++) {
      const target = candidate(ledgerPath, date, dir, n);
      if (!(await claim(ledgerPath, target, ops))) continue;
      await ops.fsyncDir(dir);
      // Only once the archive is durable does the ledger's old name go.
      await ops.unlink(ledgerPath);
      await ops.fsyncDir(dirname(ledgerPath));
      return target;
    }
  } catch (err) {
    throw storageFailure(`could not archive ${ledgerPath}`, err);
  }
}

/** Puts the ledger's bytes at `target` unless something is there already; false when taken. */
async function claim(ledgerPath: string, target: string, ops: FileOps): Promise<boolean> {
  try {
    await ops.link(ledgerPath, target);
    return true;
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    if (errorCode(err) !== 'EXDEV') throw err;
  }
  // Another filesystem: a hard link cannot cross it, so copy (never over an existing file) and sync.
  try {
    await ops.copyFileExclusive(ledgerPath, target);
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  }
  const handle = await ops.open(target, 'r');
  try {
    await ops.fsync(handle);
  } finally {
    await ops.close(handle);
  }
  return true;
}

/**
 * This ledger's archives dated today (local day), in its folder and the archive folder: posts
 * made earlier today still count toward the cap after a mid-day reset-day.
 */
export function todaysArchives(ledgerPath: string, opts: { archiveDir?: string | undefined; now: number; ops?: FileOps }): Promise<string[]> {
  return archivesOfDays(ledgerPath, [new Date(opts.now)], opts);
}

/**
 * Archives dated today or yesterday: the posts of the last 24 hours (an archive is dated by the day
 * reset-day ran, so last night's day may carry today's date).
 */
export function recentArchives(ledgerPath: string, opts: { archiveDir?: string | undefined; now: number; ops?: FileOps }): Promise<string[]> {
  const today = new Date(opts.now);
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1, 12);
  return archivesOfDays(ledgerPath, [yesterday, today], opts);
}

async function archivesOfDays(ledgerPath: string, days: readonly Date[], opts: { archiveDir?: string | undefined; ops?: FileOps }): Promise<string[]> {
  const ops = opts.ops ?? realFileOps;
  const pattern = new RegExp(`^${escapeRegExp(ledgerName(ledgerPath))}_(?:${days.map(archiveDay).join('|')})(?:_\\d+)?\\.csv$`);
  const dirs = [...new Set([resolve(dirname(ledgerPath)), resolve(opts.archiveDir ?? dirname(ledgerPath))])];
  const found: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = await ops.readdir(dir);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') continue;
      throw err;
    }
    for (const name of names.filter((n) => pattern.test(n)).sort(byArchiveOrder)) found.push(join(dir, name));
  }
  return found;
}

/** name_20261129.csv, then _1, _2, … _10 in numeric order. */
function byArchiveOrder(a: string, b: string): number {
  const suffix = (name: string): number => Number(/_\d{8}(?:_(\d+))?\.csv$/.exec(name)?.[1] ?? 0);
  return suffix(a) - suffix(b);
}

/**
 * Ledgers on disk: written from jobs or as text, read back with a reader of their own, with the
 * videos `daycap run`'s pre-flight looks for, and what daycap leaves beside them.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { LEDGER_COLUMNS, type Job } from '../../src/core/job.js';
import { parseLedger, serializeLedger } from '../../src/ledger/codec.js';
import { sealedJournalsDir, stateDir } from '../../src/ledger/paths.js';
import { tempDir } from './files.js';

/** The ledger's header line (all seventeen columns), for tests that write rows as text. */
export const HEADER = LEDGER_COLUMNS.join(',');
/** The header of a ledger of the seed system's first version: its nine columns. */
export const SEED_HEADER = LEDGER_COLUMNS.slice(0, 9).join(',');

/** Writes `jobs` as `dir/progress.csv` and returns its path. */
export function writeLedger(dir: string, jobs: readonly Job[], extraColumns?: readonly string[]): string {
  const path = join(dir, 'progress.csv');
  writeFileSync(path, serializeLedger(jobs, extraColumns));
  return path;
}

/** Writes a ledger as text, a header line (all seventeen columns by default) then `rows`; returns its path. */
export function writeLedgerRows(dir: string, rows: readonly string[], options: { name?: string; header?: string } = {}): string {
  const path = join(dir, options.name ?? 'progress.csv');
  writeFileSync(path, [options.header ?? HEADER, ...rows, ''].join('\n'));
  return path;
}

/** A ledger of `jobs` in a folder of its own. */
export function tempLedger(jobs: readonly Job[], extraColumns?: readonly string[]): string {
  return writeLedger(tempDir(), jobs, extraColumns);
}

/** The ledger's rows as objects, read with a small RFC 4180 reader of its own, independent of daycap's. */
export async function readRows(path: string): Promise<Array<Record<string, string>>> {
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const [header, ...rows] = records.filter((r) => !(r.length === 1 && r[0] === ''));
  return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i] ?? ''])));
}

/** Status of each job, by id. */
export async function statuses(path: string): Promise<Record<string, string>> {
  return Object.fromEntries((await readRows(path)).map((row) => [row['job_id'], row['status']]));
}

/** The local calendar date as YYYYMMDD, as archive names use it. */
export function todayStamp(date = new Date()): string {
  return `${date.getFullYear()}${String(date.getMonth() + 1).padStart(2, '0')}${String(date.getDate()).padStart(2, '0')}`;
}

/** Enough of an MP4 (an `ftyp` box) to pass for a video; no handler in the tests reads further. */
export const PLACEHOLDER_VIDEO = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypisom\0\0\x02\0isommp42', 'latin1')]);

/**
 * Writes a placeholder video at each path, relative ones under `dir` (the ledger's folder, where the
 * pre-flight looks for them). Paths outside `dir` are refused: a test must not write elsewhere.
 */
export function writeVideos(dir: string, paths: Iterable<string>): void {
  for (const path of paths) {
    const target = isAbsolute(path) ? path : resolve(dir, path);
    const inside = relative(dir, target);
    if (inside.startsWith('..') || isAbsolute(inside)) throw new Error(`writeVideos: ${path} is outside ${dir}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, PLACEHOLDER_VIDEO);
  }
}

/** The videos of every row of a ledger file (a copied fixture, say), made real beside it. */
export function writeVideosOf(ledger: string): void {
  const { jobs } = parseLedger(readFileSync(ledger), ledger);
  writeVideos(dirname(ledger), jobs.map((job) => job.video_path).filter(Boolean));
}

/** The pending jobs of a scheduler state, with their (relative) videos made real in the ledger's folder `dir`. */
export function writeVideosOfState(state: string, dir: string): void {
  const { jobs } = JSON.parse(readFileSync(state, 'utf8')) as { jobs: Array<{ video_path: string }> };
  writeVideos(dir, jobs.map((job) => job.video_path));
}

/** The names of the journals runs have sealed beside the ledger. */
export function sealedJournals(ledger: string): string[] {
  const dir = sealedJournalsDir(ledger);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** Left-over temp files of atomic writes, for this ledger and for its owner.json. */
export function tempFiles(ledger: string): string[] {
  const dir = dirname(ledger);
  const state = stateDir(ledger);
  const found: string[] = [];
  for (const name of readdirSync(dir)) if (/\.tmp$/.test(name)) found.push(name);
  if (existsSync(state)) for (const name of readdirSync(state)) if (/\.tmp$/.test(name)) found.push(relative(dir, join(state, name)));
  return found.sort();
}

/** The ledger CSV (docs/ledger.md#columns) to Jobs and back. Pure: no I/O. */
import { LEDGER_COLUMNS, type Job } from '../core/job.js';
import { InputError } from '../errors.js';
import { formatCsv } from './csvFormat.js';
import { readCsvFields } from './csvRecords.js';
import { readHeader } from './header.js';
import { jobToRecord, recordToJob } from './row.js';
import { checkUtf8 } from './utf8.js';

export interface ParsedLedger {
  jobs: Job[];
  /** The header as read (empty for an empty file). */
  header: string[];
  /** Columns after the known seventeen, in file order; each job carries them in `extra`. */
  extraColumns: string[];
}

/**
 * Throws InputError 'LEDGER_PARSE' naming file, line and column. An empty or header-only file is
 * not an error here: whether that is acceptable is validation's call.
 */
export function parseLedger(text: string | Buffer, file: string): ParsedLedger {
  // Read on the bytes: each field is decoded on its own, so no row holds on to a decoded copy of the file.
  const bytes = typeof text === 'string' ? text : checkUtf8(text, file, 'LEDGER_PARSE');
  const { count, record, lineOf, header: layout } = readCsvFields(bytes, file, (cells, line) => readHeader(cells, file, line));
  if (layout === undefined) return { jobs: [], header: [], extraColumns: [] };
  const jobs = new Array<Job>(count - 1);
  const firstIndex = new Map<string, number>();
  const place = { file, lineOf, index: 0 };
  for (let i = 1; i < count; i++) {
    place.index = i;
    const job = recordToJob(record(i), layout, place);
    const before = firstIndex.get(job.job_id);
    if (before !== undefined) {
      throw new InputError('LEDGER_PARSE', { file, line: lineOf(i), column: 'job_id' }, `job_id "${job.job_id}" on line ${lineOf(i)} is already used on line ${lineOf(before)}`, {
        hint: 'Each job_id must be unique. Delete or rename one of the two rows. The file has not been changed.',
      });
    }
    firstIndex.set(job.job_id, i);
    jobs[i - 1] = job;
  }
  return { jobs, header: layout.header, extraColumns: layout.extraColumns };
}

/**
 * The seventeen known columns, then `extraColumns` (default: every key of the jobs' `extra`, in
 * order of first appearance). LF line ends, fields quoted only when needed, no formula guarding:
 * the ledger is data, and a leading '=' must read back as '='.
 */
export function serializeLedger(jobs: readonly Job[], extraColumns?: readonly string[]): string {
  return [...serializeLedgerChunks(jobs, extraColumns)].join('');
}

/** The same text as serializeLedger, in pieces of `rowsPerChunk` rows, for writing without holding it all. */
export function* serializeLedgerChunks(jobs: readonly Job[], extraColumns?: readonly string[], rowsPerChunk = 2000): Generator<string> {
  const extras = extraColumns ?? extraColumnsOf(jobs);
  checkExtraColumns(extras);
  yield formatCsv([[...LEDGER_COLUMNS, ...extras]]);
  for (let from = 0; from < jobs.length; from += rowsPerChunk) {
    const to = Math.min(jobs.length, from + rowsPerChunk);
    const rows = new Array<string[]>(to - from);
    for (let i = from; i < to; i++) rows[i - from] = jobToRecord(jobs[i]!, extras);
    yield formatCsv(rows);
  }
}

export function extraColumnsOf(jobs: readonly Job[], start: readonly string[] = []): string[] {
  const seen = new Set(start);
  const out = [...start];
  for (const job of jobs) {
    if (!job.extra) continue;
    for (const name of Object.keys(job.extra)) {
      if (!seen.has(name) && isUsableExtraName(name)) { seen.add(name); out.push(name); }
    }
  }
  return out;
}

const KNOWN_NAMES: ReadonlySet<string> = new Set(LEDGER_COLUMNS);

function isUsableExtraName(name: string): boolean {
  return name !== '' && name !== '__proto__' && name !== 'constructor' && name !== 'prototype' && !KNOWN_NAMES.has(name);
}

/** A header the writer produces must be one the reader accepts. */
function checkExtraColumns(extras: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of extras) {
    if (!isUsableExtraName(name) || seen.has(name)) {
      throw new RangeError(`serializeLedger: extra column name ${JSON.stringify(name)} is empty, reserved or repeated`);
    }
    seen.add(name);
  }
}

/**
 * Reading an archive to count the posts in it, whatever shape it is in. An archive is the day's
 * history: skipping one because it fails validation would let its accounts post again. So rows are
 * salvaged from a file the strict ledger reader refuses (unknown statuses, a quote that never
 * closes, a cut-off tail, wrong field counts, duplicate ids, bad times, zero bytes), and only a file
 * with nothing to salvage from (unreadable, not text, no header naming job_id, account and status)
 * is refused, by name, for the operator to decide.
 */
import { isUtf8 } from 'node:buffer';

import { isKnownStatus, mayBePost, type ArchivedRow } from '../core/archived-posts.js';
import { InputError } from '../errors.js';
import { errorMessage, realFileOps, type FileOps } from './fileOps.js';
import { physicalLines, scanLooseRecords, splitLine, splitLineFields, type LooseRecord } from './salvage-csv.js';

export interface ArchiveContents {
  /** Rows with a job id and an account, one per (job id, account); a status that may be a post wins over one that is not. */
  rows: ArchivedRow[];
  /** What is wrong with the file itself, one phrase each; empty when it reads as clean CSV. */
  damage: string[];
  /** Statuses daycap does not know (typos, older tools' words), as written; such rows count as possible posts. */
  unknownStatuses: string[];
  /** Rows whose status was cut off or damaged ('' in `rows`); they count as possible posts too. */
  statusLost: number;
  /** The file has no bytes at all: nothing in it to count. */
  empty: boolean;
}

export const ARCHIVE_UNREADABLE = 'ARCHIVE_UNREADABLE';

export function archiveUnreadable(file: string, problem: string, cause?: unknown): InputError {
  return new InputError(ARCHIVE_UNREADABLE, { file }, `this archive of today's ledger cannot be read, so the posts in it cannot be counted toward the cap: ${problem}`, {
    cause,
    hint: `Nothing was changed. Look at the file (is it damaged, or not an archive at all?). To go on without counting its posts, run the same command again with --ignore-archive ${file}; then its accounts may post again today.`,
  });
}

/** The archive's rows, salvaged; throws ARCHIVE_UNREADABLE when nothing can be salvaged. */
export async function readArchive(file: string, ops: FileOps = realFileOps): Promise<ArchiveContents & { modifiedAt: number }> {
  let bytes: Buffer;
  let modifiedAt: number;
  try {
    modifiedAt = (await ops.stat(file)).mtimeMs;
    bytes = await ops.readFile(file);
  } catch (err) {
    throw archiveUnreadable(file, errorMessage(err), err);
  }
  return { ...salvageArchive(bytes, file), modifiedAt };
}

/** A status cell on a line read on its own: one short word, so a stray caption line is not taken for a row. */
const STATUS_LIKE = /^[a-z][a-z0-9_ -]{0,39}$/i;

/** Pure: the rows of an archive's bytes (see readArchive). */
export function salvageArchive(bytes: Uint8Array, file: string): ArchiveContents {
  if (bytes.length === 0) return { rows: [], damage: [], unknownStatuses: [], statusLost: 0, empty: true };
  const { text, damage } = decodeArchive(bytes, file);
  const header = firstLine(text);
  const layout = readArchiveHeader(splitLine(header.text), file);
  const records = scanLooseRecords(text, header.bodyStart, header.line + 1);
  damage.push(...recordDamage(records, layout.width));

  const found = new Collected();
  for (const record of records) found.addFromRecord(recordRow(record, layout));
  if (damage.length > 0) {
    // Damage may have hidden rows inside a runaway quoted field: read every line on its own too.
    for (const { text: line, line: number } of physicalLines(text)) {
      if (number > header.line) found.addFromLine(lineRow(line, number, layout));
    }
  }
  const rows = found.rows();
  const unknownStatuses = [...new Set(rows.map((row) => row.status).filter((status) => status !== '' && !isKnownStatus(status)))];
  return { rows, damage, unknownStatuses, statusLost: rows.filter((row) => row.status === '').length, empty: false };
}

interface ArchiveLayout {
  width: number;
  jobId: number;
  account: number;
  status: number;
  claimedAt: number;
  completedAt: number;
}

function readArchiveHeader(cells: readonly string[], file: string): ArchiveLayout {
  const names = cells.map((cell) => cell.trim().toLowerCase());
  const at = (name: string) => names.indexOf(name);
  const layout = { width: cells.length, jobId: at('job_id'), account: at('account'), status: at('status'), claimedAt: at('claimed_at'), completedAt: at('completed_at') };
  const missing = (['job_id', 'account', 'status'] as const).filter((name) => at(name) === -1);
  if (missing.length > 0) {
    throw archiveUnreadable(file, `its first line is not a ledger header (no ${missing.join(', ')} column${missing.length === 1 ? '' : 's'})`);
  }
  return layout;
}

/** A row read from a whole record: what damage in it leaves of its status and times (see distrust). */
function recordRow(record: LooseRecord, layout: ArchiveLayout): ArchivedRow | undefined {
  const row = rowOf(record.cells, record.line, layout);
  return row && distrust(row, layout, record.cells.length, record.badField);
}

/**
 * A row from one line read on its own: one whose status is a single word on the same line, or the
 * first line of a row whose quoted caption goes on to the next lines (its status is further down,
 * so it is not known: such a row counts, unless the record reading found it whole).
 */
function lineRow(line: string, number: number, layout: ArchiveLayout): { row: ArchivedRow; statusKnown: boolean } | undefined {
  const { cells, openField } = splitLineFields(line);
  const found = rowOf(cells, number, layout);
  if (!found) return undefined;
  const row = distrust(found, layout, cells.length, openField);
  if (openField !== undefined && openField > Math.max(layout.jobId, layout.account) && openField <= layout.status) return { row, statusKnown: false };
  if (!STATUS_LIKE.test(found.status)) return undefined;
  return { row, statusKnown: row.status !== '' };
}

/**
 * Damage makes fields unreliable: those from the first quote out of place on may be pieces of
 * other rows, and in a record with the wrong number of fields any field may have shifted. Such a
 * status is taken as lost (so the row counts as a possible post) unless it is one daycap knows in a
 * record whose quotes are sound up to it; such a time is dropped (so the row may be today's).
 */
function distrust(row: ArchivedRow, layout: ArchiveLayout, fields: number, badField: number | undefined): ArchivedRow {
  const misfit = fields !== layout.width;
  const afterDamage = (index: number) => badField !== undefined && index >= badField;
  const statusLost = afterDamage(layout.status) || (misfit && !isKnownStatus(row.status));
  const timeLost = (index: number) => misfit || afterDamage(index);
  if (!statusLost && !timeLost(layout.claimedAt) && !timeLost(layout.completedAt)) return row;
  return {
    ...row,
    status: statusLost ? '' : row.status,
    claimedAt: timeLost(layout.claimedAt) ? '' : row.claimedAt,
    completedAt: timeLost(layout.completedAt) ? '' : row.completedAt,
  };
}

function rowOf(cells: readonly string[], line: number, layout: ArchiveLayout): ArchivedRow | undefined {
  const jobId = (cells[layout.jobId] ?? '').trim();
  const account = (cells[layout.account] ?? '').trim();
  if (!jobId || !account) return undefined;
  // A header repeated inside the file (two files pasted together) is no row.
  if (jobId.toLowerCase() === 'job_id' && account.toLowerCase() === 'account') return undefined;
  const cell = (index: number) => (index === -1 ? '' : (cells[index] ?? ''));
  return { jobId, account, status: cell(layout.status).trim(), claimedAt: cell(layout.claimedAt), completedAt: cell(layout.completedAt), line };
}

/** One row per (job id, account): a duplicate id is one job, counted once, as a post if any of its rows may be one. */
class Collected {
  private readonly byKey = new Map<string, ArchivedRow>();
  /** Lines on which a record read whole begins. */
  private readonly recordLines = new Set<number>();

  addFromRecord(row: ArchivedRow | undefined): void {
    if (!row) return;
    this.recordLines.add(row.line);
    this.add(row);
  }

  /**
   * A row read from a line alone. One without a status stands in for a record that was swallowed by
   * damage; when the record reading found a row starting on that very line, that one is the better reading.
   */
  addFromLine(found: { row: ArchivedRow; statusKnown: boolean } | undefined): void {
    if (!found) return;
    if (found.statusKnown || !this.recordLines.has(found.row.line)) this.add(found.row);
  }

  rows(): ArchivedRow[] {
    return [...this.byKey.values()].sort((a, b) => a.line - b.line);
  }

  private add(row: ArchivedRow): void {
    const key = `${row.jobId}\u0000${row.account}`;
    const before = this.byKey.get(key);
    if (!before || (!mayBePost(before.status) && mayBePost(row.status))) this.byKey.set(key, row);
  }
}

function recordDamage(records: readonly LooseRecord[], width: number): string[] {
  const damage: string[] = [];
  const unclean = records.filter((record) => record.badField !== undefined);
  if (unclean.length > 0) damage.push(`${plural(unclean.length, 'record')} with a quote out of place (first on line ${unclean[0]!.line})`);
  const last = records.at(-1);
  const cut = last?.atEnd === true && last.cells.length < width ? last : undefined;
  const misfit = records.filter((record) => record !== cut && record.cells.length !== width);
  if (misfit.length > 0) damage.push(`${plural(misfit.length, 'record')} without the header's ${width} fields (first on line ${misfit[0]!.line})`);
  if (cut) damage.push(`the file ends in the middle of the row on line ${cut.line}`);
  return damage;
}

/**
 * Text, as far as it goes. Zero bytes (a crash that zero-filled part of the file) become line
 * ends, so the rows around them can still be read; bad UTF-8 becomes U+FFFD. A file that is not
 * text at all, or nothing but zero bytes, is refused.
 */
function decodeArchive(bytes: Uint8Array, file: string): { text: string; damage: string[] } {
  const damage: string[] = [];
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const body = Buffer.from(bytes.subarray(2));
    if (bytes[0] === 0xfe) body.swap16();
    return { text: body.toString('utf16le'), damage };
  }
  const firstNul = bytes.indexOf(0);
  let clean = bytes;
  if (firstNul !== -1) {
    const zeros = bytes.reduce((n, byte) => (byte === 0 ? n + 1 : n), 0);
    // Each run of zeros becomes one line end: the rows before and after it are read as rows.
    clean = Uint8Array.from(bytes.filter((byte, i) => byte !== 0 || bytes[i - 1] !== 0), (byte) => (byte === 0 ? 0x0a : byte));
    damage.push(`${plural(zeros, 'zero byte')} (NUL), the first at byte ${firstNul}`);
  }
  if (!isUtf8(clean)) damage.push('bytes that are not UTF-8');
  const text = Buffer.from(clean.buffer, clean.byteOffset, clean.byteLength).toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') throw archiveUnreadable(file, 'it holds nothing but zero bytes (NUL) and line ends: zero-filled, probably by a crash');
  if (!looksLikeText(text)) throw archiveUnreadable(file, 'it is not text (binary content)');
  return { text, damage };
}

/** Binary files are full of control characters and invalid UTF-8; a damaged text file has a few. */
function looksLikeText(text: string): boolean {
  const sample = text.slice(0, 4096);
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffd) odd++;
  }
  return odd <= sample.length * 0.05;
}

/** The first line that is not blank: the header. */
function firstLine(text: string): { text: string; line: number; bodyStart: number } {
  const lead = /^[\r\n]*/.exec(text)![0];
  const end = /\r\n|\n|\r/g;
  end.lastIndex = lead.length;
  const found = end.exec(text);
  return { text: text.slice(lead.length, found ? found.index : text.length), line: 1 + countLf(lead), bodyStart: found ? found.index + found[0].length : text.length };
}

function countLf(text: string): number {
  let n = 0;
  for (let p = text.indexOf('\n'); p !== -1; p = text.indexOf('\n', p + 1)) n++;
  return n;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

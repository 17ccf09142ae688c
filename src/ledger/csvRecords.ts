/**
 * CSV to records, with the line each record starts on. The fast reader (on the bytes) handles the
 * common case; csv-parse reads everything else and is the one that explains a malformed file.
 */
import { CsvError, parse, type Options } from 'csv-parse/sync';

import { InputError } from '../errors.js';
import { scanCsvBytes } from './csvBytes.js';
import { lineAt, linesAt } from './lines.js';

/**
 * Spreadsheets save with a BOM and CRLF; editors append a blank line now and then; a file edited
 * with two tools can mix CRLF and LF. Quotes are strict: a stray quote is a damaged file, not text.
 */
export const CSV_PARSE_OPTIONS = {
  bom: true,
  skip_empty_lines: true,
  record_delimiter: ['\r\n', '\n'],
  relax_column_count: false,
  relax_quotes: false,
} as const satisfies Options;

export interface CsvRecords<H> {
  /** Every record, the header (record 0) included. */
  records: string[][];
  /** 1-based line on which record `index` starts. */
  lineOf(index: number): number;
  /** What `readHeader` made of record 0; undefined for a file without records. */
  header: H | undefined;
}

/** The fields of one record, by their index in the record. */
export interface RecordFields {
  text(index: number): string;
}

/** A record already split into strings. */
export class CellArray implements RecordFields {
  constructor(private readonly cells: readonly string[]) {}

  text(index: number): string {
    return this.cells[index]!;
  }
}

/** The same, with each record's fields read only when asked for (the fast reader decodes them one by one). */
export interface CsvFields<H> {
  /** Records, the header (record 0) included. */
  count: number;
  /** The fields of record `index`; the object returned may be reused by the next call. */
  record(index: number): RecordFields;
  lineOf(index: number): number;
  header: H | undefined;
}

type HeaderReader<H> = (cells: string[], line: number) => H;

/**
 * `readHeader` sees the first record before any error about later ones is raised: a file whose
 * first line is no ledger header is better reported as that than as a stray quote on line 40.
 * Bytes must be valid UTF-8 (see utf8.ts); a string is read as its UTF-8 bytes.
 */
export function readCsvFields<H = undefined>(text: string | Buffer, file: string, readHeader: HeaderReader<H> = () => undefined as H): CsvFields<H> {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const table = scanCsvBytes(bytes);
  if (!table) {
    const { records, lineOf, header } = parseWithCsvParse(bytes, file, readHeader);
    return { count: records.length, record: (index) => new CellArray(records[index]!), lineOf, header };
  }
  const starts = table.starts.subarray(0, table.records);
  return {
    count: table.records,
    record: (index) => table.at(index),
    lineOf: lineTable(bytes, starts),
    header: table.records === 0 ? undefined : readHeader(table.record(0), lineAt(bytes, starts[0]!)),
  };
}

/** Every record decoded, for readers that want them all as arrays. */
export function readCsvRecords<H = undefined>(text: string | Buffer, file: string, readHeader: HeaderReader<H> = () => undefined as H): CsvRecords<H> {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const table = scanCsvBytes(bytes);
  if (!table) return parseWithCsvParse(bytes, file, readHeader);
  const records = new Array<string[]>(table.records);
  for (let r = 0; r < table.records; r++) records[r] = table.record(r);
  const starts = table.starts.subarray(0, table.records);
  const first = records[0];
  return { records, lineOf: lineTable(bytes, starts), header: first && readHeader(first, lineAt(bytes, starts[0]!)) };
}

function parseWithCsvParse<H>(bytes: Buffer, file: string, readHeader: HeaderReader<H>): CsvRecords<H> {
  // Where each record ends, so a record's first line can be found from the previous one's end.
  const ends: number[] = [];
  let header: string[] = [];
  const startOf = (index: number): number => skipLineBreaks(bytes, index === 0 ? 0 : (ends[index - 1] ?? bytes.length));
  try {
    const records = parse(bytes, {
      ...CSV_PARSE_OPTIONS,
      record_delimiter: [...CSV_PARSE_OPTIONS.record_delimiter],
      on_record: (record: string[], context) => {
        if (ends.length === 0) header = record;
        ends.push(context.bytes);
        return record;
      },
    }) as string[][];
    const first = records[0];
    return { records, lineOf: lineTable(bytes, records.map((_, i) => startOf(i))), header: first && readHeader(first, lineAt(bytes, startOf(0))) };
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    if (ends.length > 0) readHeader(header, lineAt(bytes, startOf(0)));
    throw describeCsvError(err, file, lineAt(bytes, startOf(ends.length)), header, ends.length === 0);
  }
}

/** Built on first use: a valid file never pays for line numbers. */
function lineTable(src: Uint8Array, starts: ArrayLike<number>): (index: number) => number {
  let lines: number[] | undefined;
  return (index) => (lines ??= linesAt(src, starts))[index] ?? lineAt(src, src.length);
}

/** Blank lines between records were skipped by the parser; the record starts after them. */
function skipLineBreaks(bytes: Uint8Array, offset: number): number {
  let p = offset;
  while (p < bytes.length && (bytes[p] === 0x0a || bytes[p] === 0x0d)) p++;
  return p;
}

const QUOTING_HINT =
  'In CSV, a field that holds a comma, a quote or a line break is wrapped in double quotes, and a quote inside it is written twice (""). Fix the file in a text editor (a spreadsheet may hide the problem) and run again. The file has not been changed.';

function describeCsvError(err: CsvError, file: string, line: number, header: string[], inHeader: boolean): InputError {
  const field = typeof err.column === 'number' ? err.column : undefined;
  const columnName = (index: number | undefined): string | number | undefined =>
    index === undefined ? undefined : inHeader ? index + 1 : (header[index] || index + 1);
  const where = (index: number | undefined): string => {
    const name = columnName(index);
    return name === undefined ? '' : typeof name === 'number' ? ` in field ${name}` : ` in column "${name}"`;
  };
  const record = inHeader ? 'the header' : `the record starting on line ${line}`;
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return parseError(file, line, columnName(field), `a quoted field${where(field)} of ${record} is never closed: the file ends inside it`, QUOTING_HINT, err);
    case 'CSV_INVALID_CLOSING_QUOTE':
      return parseError(file, line, columnName(field), `a closing quote${where(field)} of ${record} is followed by more text instead of a comma or a line end`, QUOTING_HINT, err);
    case 'INVALID_OPENING_QUOTE':
      return parseError(file, line, columnName(field), `a quote appears inside an unquoted field${where(field)} of ${record}`, QUOTING_HINT, err);
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS': {
      const got = Array.isArray(err.record) ? err.record.length : 0;
      const expected = header.length;
      const column = got < expected ? (header[got] || got + 1) : expected + 1;
      return parseError(
        file, line, column,
        `${record} has ${got} field${got === 1 ? '' : 's'} but the header has ${expected}`,
        'Every line must have as many comma-separated fields as the header (an unquoted comma in a caption splits it in two; a lost quote merges lines). Fix that line and run again. The file has not been changed.',
        err,
      );
    }
    default:
      return parseError(file, line, columnName(field), `${record} is not valid CSV (${err.message})`, QUOTING_HINT, err);
  }
}

function parseError(file: string, line: number, column: string | number | undefined, problem: string, hint: string, cause: unknown): InputError {
  return new InputError('LEDGER_PARSE', column === undefined ? { file, line } : { file, line, column }, problem, { hint, cause });
}

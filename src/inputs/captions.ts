/** captions.csv of a campaign: `filename,caption`, RFC 4180, captions kept byte for byte. */
import { CsvError, parse } from 'csv-parse/sync';
import { InputError } from '../errors.js';
import { decodeUtf8, type InputKind } from './read.js';

export interface CaptionRow {
  filename: string;
  caption: string;
  /** Line of the file where the row starts, for messages. */
  line: number;
}

export const CAPTIONS: InputKind = {
  what: 'captions file',
  code: 'CAMPAIGN_INVALID',
  hint: 'captions.csv needs the header line `filename,caption` and one row per video.',
};
const FIX_HINT = 'Fix captions.csv (quote captions that hold commas, quotes or line breaks; double the quotes inside them). The file has not been changed.';
const COLUMNS = ['filename', 'caption'] as const;

/** csv-parse counts the CR and the LF of a CRLF inside a quoted caption as two lines, so lines come from byte offsets. */
function lineAtByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** The start of the record after `end`, past the blank lines csv-parse skips. */
function recordStart(bytes: Uint8Array, end: number): number {
  let at = end;
  while (at < bytes.length && (bytes[at] === 0x0a || bytes[at] === 0x0d)) at++;
  return at;
}

function describeCsvError(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field that starts here is never closed';
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return `expected 2 fields (filename,caption), found ${Array.isArray(error.record) ? error.record.length : 'another number'}`;
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quote in the middle of a field';
    default:
      return error.message;
  }
}

export function parseCaptions(bytes: Uint8Array, file: string): CaptionRow[] {
  decodeUtf8(bytes, file, CAPTIONS);
  const ends: number[] = [0];
  let headerRow: string[] | undefined;
  const fieldName = (index: number) => headerRow?.[index]?.trim() || `field ${index + 1}`;
  let records: string[][];
  try {
    records = parse(Buffer.from(bytes), {
      bom: true,
      skip_empty_lines: true,
      on_record: (record: string[], context) => {
        ends.push(context.bytes);
        headerRow ??= record;
        return record;
      },
    }) as string[][];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = lineAtByte(bytes, recordStart(bytes, ends[ends.length - 1] ?? 0));
    const perField = error.code !== 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH';
    const column = perField && typeof error.column === 'number' ? fieldName(error.column) : undefined;
    throw new InputError(CAPTIONS.code, { file, line, ...(column === undefined ? {} : { column }) }, describeCsvError(error), {
      cause: error,
      hint: FIX_HINT,
    });
  }

  const [header, ...rows] = records;
  const names = header?.map((name) => name.trim().toLowerCase()) ?? [];
  if (names.length !== 2 || !COLUMNS.every((column) => names.includes(column))) {
    const found = header ? `found \`${header.join(',')}\`` : 'the file is empty';
    throw new InputError(CAPTIONS.code, { file, line: header ? lineAtByte(bytes, recordStart(bytes, 0)) : 1 }, `expected the header \`filename,caption\`, ${found}`, {
      hint: FIX_HINT,
    });
  }
  const filenameAt = names.indexOf('filename');
  const captionAt = names.indexOf('caption');

  return rows.map((row, i) => {
    const line = lineAtByte(bytes, recordStart(bytes, ends[i + 1] ?? 0));
    const filename = (row[filenameAt] ?? '').trim();
    if (filename === '') throw new InputError(CAPTIONS.code, { file, line, column: 'filename' }, 'the file name is empty', { hint: FIX_HINT });
    return { filename, caption: row[captionAt] ?? '', line };
  });
}

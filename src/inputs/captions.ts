/**
 * A campaign's captions CSV, in the seed system's layouts: `filename,caption`, `filename,post_caption`
 * (its viral layout `filename,onscreen_text,post_caption`), or its podcast layout: a `Text` column and
 * a shortcode column (`Image/Video link 1 (shortcode)`), a shortcode naming the videos that start with
 * it. RFC 4180; captions are kept byte for byte.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { InputError } from '../errors.js';
import { lineAt } from '../ledger/lines.js';
import { decodeUtf8, type InputKind } from './read.js';

export interface CaptionRow {
  /** The video's file name (with or without `.mp4`), or in the shortcode layout the shortcode. */
  name: string;
  caption: string;
}

export interface CaptionLayout {
  /** `file name`: the name column holds a video's file name; `shortcode`: the start of video names. */
  match: 'file name' | 'shortcode';
  header: readonly string[];
  nameAt: number;
  captionAt: number;
}

export interface Captions {
  layout: CaptionLayout;
  rows: CaptionRow[];
  /** Rows without a name or without a caption: the seed system skips them, and so does daycap. */
  blankRows: number;
}

export const CAPTIONS: InputKind = {
  what: 'captions file',
  code: 'CAMPAIGN_INVALID',
  hint: 'The captions file needs a header line such as `filename,caption` and one row per video.',
};
export const LAYOUTS_TEXT = '`filename,caption`, `filename,onscreen_text,post_caption`, or `Text` with a shortcode column';
const FIX_HINT = 'Fix the captions file (quote captions that hold commas, quotes or line breaks; double the quotes inside them). The file has not been changed.';

/**
 * The layout a header names, matched the way the seed system's CampaignConfig.from_folder does: a
 * `text` and a `shortcode` column make the shortcode layout; otherwise `filename` with `post_caption`,
 * else with `caption` (or `text`). Names are compared trimmed and in any case. undefined: not captions.
 */
export function captionLayoutOf(header: readonly string[]): CaptionLayout | undefined {
  const names = header.map((name) => name.trim().toLowerCase());
  const text = names.indexOf('text');
  const shortcode = names.findIndex((name) => name.includes('shortcode'));
  if (text !== -1 && shortcode !== -1) return { match: 'shortcode', header, nameAt: shortcode, captionAt: text };
  const filename = names.indexOf('filename');
  const captionAt = ['post_caption', 'caption', 'text'].map((name) => names.indexOf(name)).find((at) => at !== -1);
  if (filename === -1 || captionAt === undefined) return undefined;
  return { match: 'file name', header, nameAt: filename, captionAt };
}

/** For the seed summary: `captions.csv (filename,onscreen_text,post_caption): caption from post_caption, matched by file name`. */
export function describeLayout(layout: CaptionLayout): string {
  const how = layout.match === 'shortcode' ? 'matched to the videos whose names start with the shortcode' : 'matched by file name';
  return `(${layout.header.join(',')}): caption from ${layout.header[layout.captionAt]}, ${how}`;
}

/** The header cells of a CSV's first line, or undefined when it has none that parse. */
export function headerOf(firstBytes: Uint8Array): string[] | undefined {
  const lf = firstBytes.indexOf(0x0a);
  const line = Buffer.from(firstBytes.subarray(0, lf === -1 ? firstBytes.length : lf));
  try {
    const [cells] = parse(line, { bom: true, relax_quotes: true, relax_column_count: true, to_line: 1 }) as string[][];
    return cells && cells.some((cell) => cell.trim() !== '') ? cells : undefined;
  } catch {
    return undefined;
  }
}

/** csv-parse counts the CR and the LF of a CRLF inside a quoted caption as two lines, so lines come from byte offsets. */
const lineAtByte = (bytes: Uint8Array, offset: number): number => lineAt(bytes, offset);

/** The start of the record after `end`, past the blank lines csv-parse skips. */
function recordStart(bytes: Uint8Array, end: number): number {
  let at = end;
  while (at < bytes.length && (bytes[at] === 0x0a || bytes[at] === 0x0d)) at++;
  return at;
}

function describeCsvError(error: CsvError, header: readonly string[] | undefined): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field that starts here is never closed';
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return `expected ${header?.length ?? 'as many'} fields (${header?.join(',') ?? 'as the header'}), found ${Array.isArray(error.record) ? error.record.length : 'another number'}`;
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quote in the middle of a field';
    default:
      return error.message;
  }
}

/** Every record; CSV damage becomes an InputError at the line of the record it is in. */
function readRecords(bytes: Uint8Array, file: string): string[][] {
  /** Where the last good record ends: the damaged one starts after it. */
  let lastEnd = 0;
  let headerRow: string[] | undefined;
  try {
    return parse(Buffer.from(bytes), {
      bom: true,
      skip_empty_lines: true,
      on_record: (record: string[], context) => {
        lastEnd = context.bytes;
        headerRow ??= record;
        return record;
      },
    }) as string[][];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = lineAtByte(bytes, recordStart(bytes, lastEnd));
    const perField = error.code !== 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH';
    const column = perField && typeof error.column === 'number' ? headerRow?.[error.column]?.trim() || `field ${error.column + 1}` : undefined;
    throw new InputError(CAPTIONS.code, { file, line, ...(column === undefined ? {} : { column }) }, describeCsvError(error, headerRow), { cause: error, hint: FIX_HINT });
  }
}

export function parseCaptions(bytes: Uint8Array, file: string): Captions {
  decodeUtf8(bytes, file, CAPTIONS);
  const records = readRecords(bytes, file);
  const [header, ...rows] = records;
  const layout = header ? captionLayoutOf(header) : undefined;
  if (!layout) {
    const found = header ? `found \`${header.join(',')}\`` : 'the file is empty';
    throw new InputError(CAPTIONS.code, { file, line: header ? lineAtByte(bytes, recordStart(bytes, 0)) : 1 }, `expected a captions header (${LAYOUTS_TEXT}), ${found}`, {
      hint: FIX_HINT,
    });
  }
  const out: CaptionRow[] = [];
  let blankRows = 0;
  for (const row of rows) {
    const name = (row[layout.nameAt] ?? '').trim();
    const caption = row[layout.captionAt] ?? '';
    if (name === '' || caption.trim() === '') blankRows++;
    else out.push({ name, caption });
  }
  return { layout, rows: out, blankRows };
}

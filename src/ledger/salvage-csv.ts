/**
 * CSV read the forgiving way, for salvaging archives: nothing here ever refuses. Quotes are read as
 * RFC 4180 says, but a quote that never closes, text after a closing quote or a stray quote is
 * kept as text and the record is marked unclean, so the caller knows where to look again.
 * Lines end at LF, CRLF or a lone CR.
 */
import { closingQuote, COMMA, CR, LF, QUOTE } from './csvChars.js';

export interface LooseRecord {
  cells: string[];
  /** 1-based line the record starts on (lines counted at LF, as everywhere in daycap). */
  line: number;
  /**
   * Index of the first field with a quote out of place (or in which the file ended inside quotes);
   * undefined for a clean record. Fields from there on may hold pieces of other rows.
   */
  badField: number | undefined;
  /** The record reached the end of the file without a line end. */
  atEnd: boolean;
}

/** Index of the first comma or line end at or after `from`, or the text's length. */
function fieldEnd(text: string, from: number): number {
  for (let p = from; p < text.length; p++) {
    const c = text.charCodeAt(p);
    if (c === COMMA || c === LF || c === CR) return p;
  }
  return text.length;
}

function countLf(text: string, from: number, to: number): number {
  let n = 0;
  for (let p = text.indexOf('\n', from); p !== -1 && p < to; p = text.indexOf('\n', p + 1)) n++;
  return n;
}

/** Where a scan is: the offset in the text and the line it is on. */
interface Cursor {
  p: number;
  line: number;
}

interface LooseField {
  value: string;
  /** A quote out of place, or the text ended inside quotes. */
  damaged: boolean;
}

/**
 * Every record of `text` from offset `from`, quoted fields spanning lines as CSV allows. A quote
 * that never closes takes the rest of the text into its field: the caller re-reads such a stretch
 * line by line (see splitLine).
 */
export function scanLooseRecords(text: string, from = 0, firstLine = 1): LooseRecord[] {
  const records: LooseRecord[] = [];
  const at: Cursor = { p: from, line: firstLine };
  while (at.p < text.length) {
    const c = text.charCodeAt(at.p);
    if (c === LF) { at.p++; at.line++; continue; }
    if (c === CR) { at.p++; continue; }
    records.push(readLooseRecord(text, at));
  }
  return records;
}

/** One record from `at`, which is left past the record's line end. */
function readLooseRecord(text: string, at: Cursor): LooseRecord {
  const record: LooseRecord = { cells: [], line: at.line, badField: undefined, atEnd: false };
  for (;;) {
    const field = text.charCodeAt(at.p) === QUOTE ? readQuotedField(text, at) : readPlainField(text, at);
    if (field.damaged) record.badField ??= record.cells.length;
    record.cells.push(field.value);
    if (at.p >= text.length) {
      record.atEnd = true;
      return record;
    }
    const d = text.charCodeAt(at.p);
    if (d === COMMA) {
      at.p++;
      continue;
    }
    if (d === CR && text.charCodeAt(at.p + 1) === LF) at.p += 2;
    else at.p += 1;
    if (d === LF || text.charCodeAt(at.p - 1) === LF) at.line++;
    return record;
  }
}

/** A field that opens with a quote: to its closing quote (or the text's end), then any text up to the next comma or line end. */
function readQuotedField(text: string, at: Cursor): LooseField {
  const open = at.p + 1;
  const close = closingQuote(text, open);
  const contentEnd = close === -1 ? text.length : close;
  let value = text.slice(open, contentEnd).replaceAll('""', '"');
  at.line += countLf(text, open, contentEnd);
  let damaged = close === -1;
  const after = close === -1 ? text.length : close + 1;
  const end = fieldEnd(text, after);
  if (end > after) {
    damaged = true;
    value += text.slice(after, end);
  }
  at.p = end;
  return { value, damaged };
}

/** A field up to the next comma or line end; a quote in it is out of place. */
function readPlainField(text: string, at: Cursor): LooseField {
  const end = fieldEnd(text, at.p);
  const value = text.slice(at.p, end);
  at.p = end;
  return { value, damaged: value.includes('"') };
}

export interface LineFields {
  cells: string[];
  /** Index of the field that opens a quote the line does not close (a field going on to the next line), if any. */
  openField: number | undefined;
}

/**
 * One physical line as fields, quotes honoured only when they close on the same line: a quote
 * left open is taken as a plain character, so the fields after it can still be found.
 */
export function splitLine(line: string): string[] {
  return splitLineFields(line).cells;
}

export function splitLineFields(line: string): LineFields {
  const cells: string[] = [];
  let openField: number | undefined;
  let p = 0;
  const n = line.length;
  for (;;) {
    let value: string;
    // A line holds no line ends, so a quote that does not close on it stays open.
    const close = line.charCodeAt(p) === QUOTE ? closingQuote(line, p + 1) : -1;
    if (close !== -1) {
      value = line.slice(p + 1, close).replaceAll('""', '"');
      const end = fieldEnd(line, close + 1);
      value += line.slice(close + 1, end);
      p = end;
    } else {
      if (line.charCodeAt(p) === QUOTE) openField ??= cells.length;
      const end = fieldEnd(line, p);
      value = line.slice(p, end);
      p = end;
    }
    cells.push(value);
    if (p >= n) return { cells, openField };
    p++; // a comma: a line holds no line ends
  }
}

/** The physical lines of `text` (ended by LF, CRLF or a lone CR) with their 1-based numbers. */
export function physicalLines(text: string): Array<{ text: string; line: number }> {
  return text.split(/\r\n|\n|\r/).map((raw, i) => ({ text: raw, line: i + 1 }));
}

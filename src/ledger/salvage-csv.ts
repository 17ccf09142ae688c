/**
 * CSV read the forgiving way, for salvaging archives: nothing here ever refuses. Quotes are read as
 * RFC 4180 says, but a quote that never closes, text after a closing quote or a stray quote is
 * kept as text and the record is marked unclean, so the caller knows where to look again.
 * Lines end at LF, CRLF or a lone CR.
 */

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

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

/**
 * Every record of `text` from offset `from`, quoted fields spanning lines as CSV allows. A quote
 * that never closes takes the rest of the text into its field: the caller re-reads such a stretch
 * line by line (see splitLine).
 */
export function scanLooseRecords(text: string, from = 0, firstLine = 1): LooseRecord[] {
  const records: LooseRecord[] = [];
  const n = text.length;
  let p = from;
  let line = firstLine;
  while (p < n) {
    const c = text.charCodeAt(p);
    if (c === LF) { p++; line++; continue; }
    if (c === CR) { p++; continue; }
    const record: LooseRecord = { cells: [], line, badField: undefined, atEnd: false };
    const damaged = () => (record.badField ??= record.cells.length);
    for (;;) {
      let value: string;
      if (text.charCodeAt(p) === QUOTE) {
        value = '';
        let q = p + 1;
        for (;;) {
          const close = text.indexOf('"', q);
          if (close === -1) {
            value += text.slice(q);
            line += countLf(text, q, n);
            damaged();
            q = n;
            break;
          }
          value += text.slice(q, close);
          line += countLf(text, q, close);
          if (text.charCodeAt(close + 1) === QUOTE) {
            value += '"';
            q = close + 2;
            continue;
          }
          q = close + 1;
          break;
        }
        const end = fieldEnd(text, q);
        if (end > q) {
          damaged();
          value += text.slice(q, end);
        }
        p = end;
      } else {
        const end = fieldEnd(text, p);
        value = text.slice(p, end);
        if (value.includes('"')) damaged();
        p = end;
      }
      record.cells.push(value);
      if (p >= n) {
        record.atEnd = true;
        break;
      }
      const d = text.charCodeAt(p);
      if (d === COMMA) {
        p++;
        continue;
      }
      if (d === CR && text.charCodeAt(p + 1) === LF) p += 2;
      else p += 1;
      if (d === LF || text.charCodeAt(p - 1) === LF) line++;
      break;
    }
    records.push(record);
  }
  return records;
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

/** The quote closing a field whose content starts at `from`, on this line; -1 if it stays open. */
function closingQuote(line: string, from: number): number {
  for (let q = from; ;) {
    const e = line.indexOf('"', q);
    if (e === -1) return -1;
    if (line.charCodeAt(e + 1) !== QUOTE) return e;
    q = e + 2;
  }
}

/** The physical lines of `text` (ended by LF, CRLF or a lone CR) with their 1-based numbers. */
export function physicalLines(text: string): Array<{ text: string; line: number }> {
  return text.split(/\r\n|\n|\r/).map((raw, i) => ({ text: raw, line: i + 1 }));
}

/**
 * The fast path for reading CSV. csv-parse walks the input byte by byte through several method
 * calls each, which costs ~0.7 s for a 100,000-row ledger on the target machine; `status` must
 * answer in under a second. This reader handles well-formed RFC 4180 only and gives up
 * (returns undefined) on anything else, so that csv-parse, which stays the authority, decides what
 * an unusual file means and how to report it. For every input it accepts, it returns exactly the
 * records csv-parse returns with CSV_PARSE_OPTIONS (a differential property test keeps it so).
 */
import { closingQuote, COMMA, CR, LF, QUOTE } from './csvChars.js';

export interface ScannedCsv {
  records: string[][];
  /** UTF-16 offset in the text where each record starts, for line numbers in messages. */
  starts: number[];
}

export function scanCsv(text: string): ScannedCsv | undefined {
  const records: string[][] = [];
  const starts: number[] = [];
  const n = text.length;
  let width = -1;
  let p = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (p < n) {
    let c = text.charCodeAt(p);
    if (c === LF) { p += 1; continue; }
    if (c === CR && text.charCodeAt(p + 1) === LF) { p += 2; continue; }
    starts.push(p);
    const record: string[] = [];
    for (;;) {
      let value: string;
      if (text.charCodeAt(p) === QUOTE) {
        const close = closingQuote(text, p + 1);
        if (close === -1) return undefined;
        value = text.slice(p + 1, close);
        if (value.includes('"')) value = value.replaceAll('""', '"');
        p = close + 1;
      } else {
        const from = p;
        for (; p < n; p++) {
          c = text.charCodeAt(p);
          if (c === COMMA || c === LF || c === CR || c === QUOTE) break;
        }
        value = text.slice(from, p);
      }
      record.push(value);
      if (p >= n) break;
      c = text.charCodeAt(p);
      if (c === COMMA) {
        p += 1;
        if (p >= n) { record.push(''); break; }
        continue;
      }
      if (c === LF) { p += 1; break; }
      if (c === CR && text.charCodeAt(p + 1) === LF) { p += 2; break; }
      // A quote inside an unquoted field, text after a closing quote, or a lone CR.
      return undefined;
    }
    if (width === -1) width = record.length;
    else if (record.length !== width) return undefined;
    records.push(record);
  }
  return { records, starts };
}

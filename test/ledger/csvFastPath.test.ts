/**
 * The hand-written fast reader and writer exist for speed only: csv-parse and csv-stringify define
 * what the bytes mean. These properties hold them to exactly that.
 */
import { parse } from 'csv-parse/sync';
import { stringify, type Options as StringifyOptions } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { LEDGER_COLUMNS } from '../../src/core/job.js';
import { InputError } from '../../src/errors.js';
import { parseLedger } from '../../src/ledger/codec.js';
import { formatCsv } from '../../src/ledger/csvFormat.js';
import { CSV_PARSE_OPTIONS, readCsvRecords } from '../../src/ledger/csvRecords.js';
import { scanCsvBytes } from '../../src/ledger/csvBytes.js';
import { nastyString } from '../helpers/jobs.js';

const csvParse = (text: string): string[][] => parse(text, { ...CSV_PARSE_OPTIONS, record_delimiter: [...CSV_PARSE_OPTIONS.record_delimiter] });
// quote_record_delimiter: with record_delimiter set, csv-stringify otherwise leaves a lone CR
// unquoted, and "a\r" before the LF would read back as "a" (CRLF is a record end too).
const CSV_STRINGIFY_OPTIONS: StringifyOptions = { record_delimiter: 'unix', quote_record_delimiter: true, quoted_match: [/^\s/, /\s$/] };

/** Inputs dense in the characters that matter to CSV, plus BOMs and NULs. */
const csvishText = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\r', '\n', '\r\n', ' ', '🐻', '\0', '\uFEFF'), maxLength: 40 }),
  fc.array(fc.array(nastyString, { minLength: 1, maxLength: 4 }), { maxLength: 5 }).map((rows) => stringify(rows, CSV_STRINGIFY_OPTIONS)),
);

describe('fast reader', () => {
  it('returns what csv-parse returns whenever it accepts an input, and rejects what csv-parse rejects', () => {
    let accepted = 0;
    fc.assert(fc.property(csvishText, fc.boolean(), (text, bom) => {
      const input = bom ? `\uFEFF${text}` : text;
      const table = scanCsvBytes(Buffer.from(input));
      const fast = table && { records: Array.from({ length: table.records }, (_, r) => table.record(r)) };
      let expected: string[][] | undefined;
      try {
        expected = csvParse(input);
      } catch {
        expected = undefined;
      }
      if (fast) {
        accepted++;
        expect(fast.records).toEqual(expected);
      }
    }), { numRuns: 5000 });
    // Not a vacuous pass: most generated inputs take the fast path.
    expect(accepted).toBeGreaterThan(1000);
  });

  it('hands unusual but valid input to csv-parse, with right line numbers', () => {
    // A lone CR inside an unquoted field and a NUL after a closing quote are csv-parse's to judge.
    const header = LEDGER_COLUMNS.slice(0, 9).join(',');
    const text = `${header}\na,acct,v,lone\rcr,pending,,,,\n"b"\0,acct,v,cap,pending,,,,\nc,acct,v,cap,nope,,,,\n`;
    expect(scanCsvBytes(Buffer.from(text))).toBeUndefined();
    expect(readCsvRecords(text.slice(0, text.lastIndexOf('c,acct')), 'x.csv').records[1]![3]).toBe('lone\rcr');
    const error = (() => { try { parseLedger(text, 'x.csv'); } catch (e) { return e; } })() as InputError;
    expect(error.position).toEqual({ file: 'x.csv', line: 4, column: 'status' });
  });
});

describe('line numbers', () => {
  it('give the line each record starts on, for every record, on both paths', () => {
    fc.assert(fc.property(fc.array(fc.array(nastyString, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 8 }), (rows) => {
      const text = formatCsv(rows);
      const expected = rows.map((_, i) => formatCsv(rows.slice(0, i)).split('\n').length);
      const { lineOf } = readCsvRecords(text, 'x.csv');
      expect(rows.map((_, i) => lineOf(i))).toEqual(expected);
      // A lone CR sends the same file through csv-parse, which must agree.
      const viaParser = readCsvRecords(`${text}a\rb,c,d\n`, 'x.csv');
      expect(rows.map((_, i) => viaParser.lineOf(i))).toEqual(expected);
    }), { numRuns: 300 });
  });
});

describe('fast writer', () => {
  it('writes byte for byte what csv-stringify writes with quoting of separators, quotes and edge whitespace', () => {
    fc.assert(fc.property(fc.array(fc.array(nastyString, { minLength: 17, maxLength: 17 }), { maxLength: 6 }), (rows) => {
      expect(formatCsv(rows)).toBe(stringify(rows, CSV_STRINGIFY_OPTIONS));
    }), { numRuns: 2000 });
  });
});

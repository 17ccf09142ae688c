/**
 * The fast path for reading CSV, on the bytes. Comma, quote, CR and LF are ASCII and never occur
 * inside a multi-byte UTF-8 sequence, so fields can be found without decoding the file; each field
 * is then decoded on its own, when asked for. A 100,000-row ledger is thus never one decoded string
 * (two bytes per character as soon as one emoji is in it), and no field keeps such a string alive
 * (a slice of a string holds its parent).
 *
 * Like csv-parse it reads RFC 4180, but only the well-formed kind: it gives up (undefined) on
 * anything else, so that csv-parse, the authority, decides what an unusual file means and how to
 * report it. For every input it accepts it yields exactly the records csv-parse returns with
 * CSV_PARSE_OPTIONS (a differential property test keeps it so). The bytes must be valid UTF-8
 * (checked by the caller).
 */

import { COMMA, CR, LF, QUOTE } from './csvChars.js';

/** Where each field of a well-formed CSV is, as byte offsets into `bytes`. */
export class CsvTable {
  private readonly shortValues = new ShortValues();
  private readonly cursor = new TableRecord(this);

  constructor(
    readonly bytes: Buffer,
    /** Fields per record (the same for every record). */
    readonly width: number,
    /** Records, the header (record 0) included. */
    readonly records: number,
    /**
     * Two numbers per field, record after record: where its content starts and ends (without the
     * quotes). A quoted field whose content holds doubled quotes has its start stored as -start - 1.
     */
    private readonly bounds: Int32Array,
    /** Byte offset at which each record starts, for line numbers. */
    readonly starts: Int32Array,
  ) {}

  /** The text of field `field` of record `record`. */
  text(record: number, field: number): string {
    const at = 2 * (record * this.width + field);
    const start = this.bounds[at]!;
    const end = this.bounds[at + 1]!;
    if (start < 0) return this.bytes.toString('utf8', -start - 1, end).replaceAll('""', '"');
    if (start === end) return '';
    // Statuses, counts, worker and run ids repeat on every row: one string serves them all.
    if (end - start <= ShortValues.MAX_BYTES) return this.shortValues.get(this.bytes, start, end);
    return this.bytes.toString('utf8', start, end);
  }

  /** The fields of record `record`, decoded when asked for; the object is reused by the next call. */
  at(record: number): TableRecord {
    this.cursor.record = record;
    return this.cursor;
  }

  /** Every field of one record, decoded. */
  record(record: number): string[] {
    const out = new Array<string>(this.width);
    for (let f = 0; f < this.width; f++) out[f] = this.text(record, f);
    return out;
  }
}

/** One record of a table. */
export class TableRecord {
  record = 0;

  constructor(private readonly table: CsvTable) {}

  text(field: number): string {
    return this.table.text(this.record, field);
  }
}

export function scanCsvBytes(bytes: Buffer): CsvTable | undefined {
  const n = bytes.length;
  let bounds: Int32Array = new Int32Array(1024);
  let starts: Int32Array = new Int32Array(64);
  let used = 0;
  let records = 0;
  let width = -1;
  // The next comma, LF, CR and quote at or after p (n when none): found with indexOf (memchr), and
  // looked for again only once p has passed them, so the bytes of a long caption are not walked one
  // by one in JavaScript.
  const next = new NextByte(bytes);
  let p = n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (p < n) {
    let c = bytes[p]!;
    if (c === LF) { p += 1; continue; }
    if (c === CR && bytes[p + 1] === LF) { p += 2; continue; }
    if (records === starts.length) starts = grow(starts);
    starts[records] = p;
    const first = used;
    for (;;) {
      if (used + 4 > bounds.length) bounds = grow(bounds);
      if (bytes[p] === QUOTE) {
        let escaped = false;
        let close = next.quote(p + 1);
        while (close < n && bytes[close + 1] === QUOTE) {
          escaped = true;
          close = next.quote(close + 2);
        }
        if (close >= n) return undefined;
        bounds[used++] = escaped ? -(p + 1) - 1 : p + 1;
        bounds[used++] = close;
        p = close + 1;
      } else {
        const from = p;
        p = Math.min(next.comma(p), next.lf(p), next.cr(p), next.quote(p));
        bounds[used++] = from;
        bounds[used++] = p;
      }
      if (p >= n) break;
      c = bytes[p]!;
      if (c === COMMA) {
        p += 1;
        if (p >= n) {
          bounds[used++] = p;
          bounds[used++] = p;
          break;
        }
        continue;
      }
      if (c === LF) { p += 1; break; }
      if (c === CR && bytes[p + 1] === LF) { p += 2; break; }
      // A quote inside an unquoted field, text after a closing quote, or a lone CR.
      return undefined;
    }
    const fields = (used - first) / 2;
    if (width === -1) width = fields;
    else if (fields !== width) return undefined;
    records += 1;
  }
  return new CsvTable(bytes, Math.max(0, width), records, bounds, starts);
}

/** The next position of each of the four bytes that matter, at or after a given offset. */
class NextByte {
  private commaAt = -1;
  private lfAt = -1;
  private crAt = -1;
  private quoteAt = -1;

  constructor(private readonly bytes: Buffer) {}

  comma(from: number): number {
    if (this.commaAt < from) this.commaAt = this.find(COMMA, from);
    return this.commaAt;
  }

  lf(from: number): number {
    if (this.lfAt < from) this.lfAt = this.find(LF, from);
    return this.lfAt;
  }

  cr(from: number): number {
    if (this.crAt < from) this.crAt = this.find(CR, from);
    return this.crAt;
  }

  quote(from: number): number {
    if (this.quoteAt < from) this.quoteAt = this.find(QUOTE, from);
    return this.quoteAt;
  }

  private find(byte: number, from: number): number {
    const at = this.bytes.indexOf(byte, from);
    return at === -1 ? this.bytes.length : at;
  }
}

/**
 * Short field values met before, found again by their bytes: a direct-mapped cache, so a value
 * seen once (a job id) costs one slot for a while, and a value seen on every row (a status) costs
 * one string for the whole file.
 */
class ShortValues {
  static readonly MAX_BYTES = 16;
  private static readonly SLOTS = 4096;
  private readonly values = new Array<string | undefined>(ShortValues.SLOTS);
  private readonly keys = new Uint8Array(ShortValues.SLOTS * ShortValues.MAX_BYTES);
  private readonly lengths = new Uint8Array(ShortValues.SLOTS);

  get(bytes: Buffer, start: number, end: number): string {
    const length = end - start;
    let hash = length;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
    const slot = (hash >>> 0) & (ShortValues.SLOTS - 1);
    const key = slot * ShortValues.MAX_BYTES;
    const known = this.values[slot];
    if (known !== undefined && this.lengths[slot] === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (this.keys[key + i] !== bytes[start + i]) { same = false; break; }
      }
      if (same) return known;
    }
    const value = bytes.toString('utf8', start, end);
    this.values[slot] = value;
    this.lengths[slot] = length;
    for (let i = 0; i < length; i++) this.keys[key + i] = bytes[start + i]!;
    return value;
  }
}

function grow(array: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

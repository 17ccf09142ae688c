/**
 * Ledgers as the seed system writes them: Python's csv.DictWriter with its default (excel) dialect,
 * i.e. CRLF after every row, a field quoted only when it holds a comma, a quote, CR or LF, a quote
 * written twice; times from datetime.now().isoformat() (naive local, microseconds).
 */
import { LEDGER_COLUMNS } from '../../src/core/job.js';

export const SEED_COLUMNS: readonly string[] = LEDGER_COLUMNS;

export type SeedRow = Record<string, string>;

export interface SeedCsvOptions {
  /** Rows whose caption is written with its opening quote and no closing one (damage). */
  unclosedCaption?: ReadonlySet<number>;
  /** Rows ended by LF instead of CRLF (a file edited with another tool). */
  lfRows?: ReadonlySet<number>;
  bom?: boolean;
}

export interface SeedCsv {
  bytes: Buffer;
  /** Byte range [start, end) of each row, line end excluded. */
  ranges: Array<[number, number]>;
}

export function seedField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function seedSystemCsv(rows: readonly SeedRow[], columns: readonly string[] = SEED_COLUMNS, options: SeedCsvOptions = {}): SeedCsv {
  const parts: Buffer[] = [];
  let offset = 0;
  const push = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    parts.push(bytes);
    offset += bytes.length;
  };
  if (options.bom) push('\uFEFF');
  push(`${columns.join(',')}\r\n`);
  const ranges: Array<[number, number]> = [];
  rows.forEach((row, i) => {
    const start = offset;
    push(columns.map((column) => {
      const value = row[column] ?? '';
      return column === 'caption' && options.unclosedCaption?.has(i) ? `"${value.replaceAll('"', '""')}` : seedField(value);
    }).join(','));
    ranges.push([start, offset]);
    push(options.lfRows?.has(i) ? '\n' : '\r\n');
  });
  return { bytes: Buffer.concat(parts), ranges };
}

/** A local time as datetime.now().isoformat() writes it: 2025-12-14T09:31:02.123456. */
export function naiveLocal(epochMs: number, micros = 0): string {
  const d = new Date(epochMs);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds() * 1000 + micros, 6)}`;
}

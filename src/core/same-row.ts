/**
 * Two versions of a ledger row compared as the operator sees them: an editor or a spreadsheet may
 * rewrite a time's 'Z' as '+00:00' or save line breaks inside a cell as CRLF, and neither is a change.
 */
import { LEDGER_COLUMNS, TIME_COLUMNS, type Job, type LedgerColumn } from './job.js';
import { parseTime } from './time.js';

const TIMES: ReadonlySet<LedgerColumn> = new Set<LedgerColumn>(TIME_COLUMNS);

/** Equal as ledger rows: time columns by instant (an editor may rewrite 'Z' as '+00:00'), extras with missing = ''. */
export function sameRow(a: Readonly<Job>, b: Readonly<Job>): boolean {
  for (const column of LEDGER_COLUMNS) if (!sameCell(column, a, b)) return false;
  return extraColumnsDiffering(a, b).length === 0;
}

/** One column equal as the operator would see it. */
export function sameCell(column: LedgerColumn, a: Readonly<Job>, b: Readonly<Job>): boolean {
  const x = a[column];
  const y = b[column];
  if (x === y) return true;
  if (typeof x !== 'string' || typeof y !== 'string') return false;
  if (sameText(x, y)) return true;
  if (!TIMES.has(column)) return false;
  const tx = parseTime(x);
  return tx !== undefined && tx === parseTime(y);
}

function sameText(x: string, y: string): boolean {
  return x === y || x.replace(/\r\n/g, '\n') === y.replace(/\r\n/g, '\n');
}

/** The extra (non-daycap) columns whose values differ, a missing one read as empty. */
export function extraColumnsDiffering(a: Readonly<Job>, b: Readonly<Job>): string[] {
  if (!a.extra && !b.extra) return [];
  const names = new Set([...Object.keys(a.extra ?? {}), ...Object.keys(b.extra ?? {})]);
  const out: string[] = [];
  for (const name of names) if (!sameText(a.extra?.[name] ?? '', b.extra?.[name] ?? '')) out.push(name);
  return out;
}

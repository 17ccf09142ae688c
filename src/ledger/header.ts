/** The ledger's header line: which column holds which field. Columns are matched by name, in any order. */
import { LEDGER_COLUMNS, REQUIRED_COLUMNS, type LedgerColumn } from '../core/job.js';
import { InputError } from '../errors.js';

export interface Layout {
  header: string[];
  /** For each of LEDGER_COLUMNS (same order), its index in a record, or -1 when the file lacks it. */
  known: number[];
  extraColumns: string[];
  extraIndexes: number[];
}

/** Names that would reach Object.prototype if ever used as keys of a plain object. */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);
const KNOWN = new Map<string, number>(LEDGER_COLUMNS.map((name, i) => [name, i]));

export function readHeader(cells: readonly string[], file: string, line: number): Layout {
  const present = new Set(cells);
  const missing = REQUIRED_COLUMNS.filter((name) => !present.has(name));
  if (missing.length > 0) {
    throw headerError(file, line, missing[0]!,
      missing.length === REQUIRED_COLUMNS.length
        ? `the first line is not a ledger header (it has none of the required columns ${REQUIRED_COLUMNS.join(', ')})`
        : `the header lacks required column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`,
      `The first line must name the columns, at least: ${REQUIRED_COLUMNS.join(', ')} (in any order; more may follow). Is this the right file? The file has not been changed.`);
  }
  const known = new Array<number>(LEDGER_COLUMNS.length).fill(-1);
  const extraColumns: string[] = [];
  const extraIndexes: number[] = [];
  const firstSeen = new Map<string, number>();
  cells.forEach((name, i) => {
    const column = i + 1;
    if (name === '') throw headerError(file, line, column, `header column ${column} has no name`, 'Give every column a name, or delete the empty column (check for a trailing comma). The file has not been changed.');
    if (RESERVED.has(name)) throw headerError(file, line, column, `header column ${column} is named "${name}", which daycap does not accept as a column name`, 'Rename that column. The file has not been changed.');
    const before = firstSeen.get(name);
    if (before !== undefined) throw headerError(file, line, column, `header columns ${before} and ${column} are both named "${name}"`, 'Rename or delete one of them. The file has not been changed.');
    firstSeen.set(name, column);
    const k = KNOWN.get(name);
    if (k !== undefined) known[k] = i;
    else { extraColumns.push(name); extraIndexes.push(i); }
  });
  return { header: [...cells], known, extraColumns, extraIndexes };
}

export function columnIndex(layout: Layout, column: LedgerColumn): number {
  return layout.known[KNOWN.get(column)!]!;
}

function headerError(file: string, line: number, column: string | number, problem: string, hint: string): InputError {
  return new InputError('LEDGER_PARSE', { file, line, column }, problem, { hint });
}

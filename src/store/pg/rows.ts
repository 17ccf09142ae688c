/**
 * A ledger row in the `jobs` table and back. The seventeen columns are kept as the CSV has them
 * (times as text, in the ledger's own convention), so an export is byte for byte what the file store
 * writes; extra columns go in `extra`; `claimed_at_ms` and `retry_at_ms` are indexes for the rules.
 * Rows travel as one array per column (`unnest`), so no value is ever spliced into SQL.
 */
import { LEDGER_COLUMNS, type Job, type Status } from '../../core/job.js';
import { parseTime } from '../../core/time.js';
import { DaycapError } from '../../errors.js';

/** A row as the driver returns it (bigint columns arrive as strings). */
export type DbJobRow = Record<(typeof LEDGER_COLUMNS)[number], string> & { extra: Record<string, string> | null };

const NUMBERS = new Set<string>(['attempts', 'max_attempts', 'pass_number']);

/** The columns written for a row, in order, with their array types. */
const WRITTEN: ReadonlyArray<readonly [string, string]> = [
  ...LEDGER_COLUMNS.map((column) => [column, NUMBERS.has(column) ? 'bigint' : 'text'] as const),
  ['extra', 'text'],
  ['claimed_at_ms', 'bigint'],
  ['retry_at_ms', 'bigint'],
];

/** `account, video_path, …`: the columns a read selects. */
export const JOB_SELECT = [...LEDGER_COLUMNS, 'extra'].join(', ');

export function jobOfRow(row: DbJobRow): Job {
  const job: Job = {
    job_id: row.job_id, account: row.account, video_path: row.video_path, caption: row.caption, status: row.status as Status,
    worker_id: row.worker_id, claimed_at: row.claimed_at, completed_at: row.completed_at, error: row.error,
    attempts: Number(row.attempts), max_attempts: Number(row.max_attempts), retry_at: row.retry_at,
    error_type: row.error_type, error_category: row.error_category, pass_number: Number(row.pass_number),
    run_id: row.run_id, video_id: row.video_id,
  };
  if (row.extra) job.extra = { ...row.extra };
  return job;
}

/** One array per written column, for `unnest`. Refuses text PostgreSQL cannot store (a NUL character). */
export function columnArrays(jobs: readonly Job[]): unknown[][] {
  const arrays: unknown[][] = WRITTEN.map(() => new Array<unknown>(jobs.length));
  jobs.forEach((job, i) => {
    LEDGER_COLUMNS.forEach((column, k) => {
      const value = job[column];
      if (typeof value === 'string' && value.includes('\u0000')) throw nulRefused(job.job_id, column);
      arrays[k]![i] = value;
    });
    const extra = job.extra === undefined ? null : JSON.stringify(job.extra);
    if (extra?.includes('\\u0000')) throw nulRefused(job.job_id, 'an extra column');
    arrays[LEDGER_COLUMNS.length]![i] = extra;
    arrays[LEDGER_COLUMNS.length + 1]![i] = parseTime(job.claimed_at) ?? null;
    arrays[LEDGER_COLUMNS.length + 2]![i] = parseTime(job.retry_at) ?? null;
  });
  return arrays;
}

function nulRefused(jobId: string, column: string): DaycapError {
  return new DaycapError('NUL_IN_CELL', `job ${jobId}: ${column} holds a NUL character, which PostgreSQL cannot store`, {
    hint: 'Remove the NUL character from that cell of the ledger (a spreadsheet shows it as nothing), then try again.',
  });
}

/** `unnest($k::text[], …) AS u(job_id, …)` with parameters numbered from `first`. */
export function unnestRows(first: number, alias = 'u', withOrdinality = false): string {
  const args = WRITTEN.map(([, type], i) => `$${first + i}::${type}[]`).join(', ');
  const names = WRITTEN.map(([name]) => name).join(', ');
  return `unnest(${args})${withOrdinality ? ' WITH ORDINALITY' : ''} AS ${alias}(${names}${withOrdinality ? ', ord' : ''})`;
}

/** `account = u.account, …, extra = u.extra::jsonb, …` for an UPDATE … FROM unnest. */
export function assignRows(alias = 'u'): string {
  return WRITTEN.filter(([name]) => name !== 'job_id').map(([name]) => `${name} = ${alias}.${name}${name === 'extra' ? '::jsonb' : ''}`).join(', ');
}

/** The written columns, for an INSERT, and what each is selected as from the unnest. */
export function insertColumns(alias = 'u'): { columns: string; values: string } {
  return {
    columns: WRITTEN.map(([name]) => name).join(', '),
    values: WRITTEN.map(([name]) => `${alias}.${name}${name === 'extra' ? '::jsonb' : ''}`).join(', '),
  };
}

export const WRITTEN_COLUMN_COUNT = WRITTEN.length;

/** One ledger record to a Job and back. Reading checks every field; writing trusts the Job type. */
import { classOfRecordedFailure } from '../core/classify.js';
import { DEFAULT_MAX_ATTEMPTS, LEDGER_COLUMNS, STATUSES, isStatus, type Job, type LedgerColumn } from '../core/job.js';
import { parseTime } from '../core/time.js';
import { InputError } from '../errors.js';
import type { Layout } from './header.js';

const NUMBER_DEFAULTS = { attempts: 0, max_attempts: DEFAULT_MAX_ATTEMPTS, pass_number: 0 } as const;
const WHOLE_NUMBER = /^[0-9]{1,15}$/;
/** Field of record `cells` for LEDGER_COLUMNS[k], '' when the file lacks that column. */
function cell(cells: readonly string[], layout: Layout, k: number): string {
  const i = layout.known[k]!;
  return i === -1 ? '' : cells[i]!;
}

export function recordToJob(cells: readonly string[], layout: Layout, file: string, line: () => number): Job {
  const fail = (column: LedgerColumn, problem: string, hint: string): InputError =>
    new InputError('LEDGER_PARSE', { file, line: line(), column }, problem, { hint: `${hint} The file has not been changed.` });

  const job_id = cell(cells, layout, 0);
  if (job_id === '') throw fail('job_id', 'job_id is empty', 'Every row needs a unique job_id; fill it in or delete the row.');
  const status = cell(cells, layout, 4);
  if (!isStatus(status)) {
    throw fail('status', `status "${status}" of job ${job_id} is not one of ${STATUSES.join(', ')}`, 'Write one of those, in lower case.');
  }
  const number = (column: 'attempts' | 'max_attempts' | 'pass_number', k: number): number => {
    const text = cell(cells, layout, k);
    if (text === '') return NUMBER_DEFAULTS[column];
    if (!WHOLE_NUMBER.test(text)) {
      throw fail(column, `${column} of job ${job_id} is "${text}", not a whole number`, `Write a whole number of 0 or more, or leave it empty for the default (${NUMBER_DEFAULTS[column]}).`);
    }
    return Number(text);
  };
  const time = (column: 'claimed_at' | 'completed_at' | 'retry_at', k: number): string => {
    const text = cell(cells, layout, k);
    // The same parser every rule reads times with: a cell that passes here is a time everywhere.
    if (text !== '' && parseTime(text) === undefined) {
      throw fail(column, `${column} of job ${job_id} is "${text}", not a time`, 'Write an ISO 8601 time such as 2026-11-29T22:01:03Z (UTC) or 2026-11-29T22:01:03.123456 (local time, as the seed system writes it), or leave it empty.');
    }
    return text;
  };
  const job: Job = {
    job_id,
    account: cell(cells, layout, 1),
    video_path: cell(cells, layout, 2),
    caption: cell(cells, layout, 3),
    status,
    worker_id: cell(cells, layout, 5),
    claimed_at: time('claimed_at', 6),
    completed_at: time('completed_at', 7),
    error: cell(cells, layout, 8),
    attempts: number('attempts', 9),
    max_attempts: number('max_attempts', 10),
    retry_at: time('retry_at', 11),
    error_type: cell(cells, layout, 12),
    error_category: cell(cells, layout, 13),
    pass_number: number('pass_number', 14),
    run_id: cell(cells, layout, 15),
    video_id: cell(cells, layout, 16),
  };
  // An older ledger's failure without a category gets one here, and keeps it on the next write.
  const recorded = classOfRecordedFailure(job);
  if (recorded) {
    job.error_category = recorded.category;
    job.error_type = recorded.type;
  }
  if (layout.extraColumns.length > 0) {
    // Header names were checked against __proto__ & co., so plain assignment cannot reach a prototype.
    const extra: Record<string, string> = {};
    layout.extraColumns.forEach((name, x) => { extra[name] = cells[layout.extraIndexes[x]!]!; });
    job.extra = extra;
  }
  return job;
}

export function jobToRecord(job: Job, extraColumns: readonly string[]): string[] {
  const out = new Array<string>(LEDGER_COLUMNS.length + extraColumns.length);
  for (let k = 0; k < LEDGER_COLUMNS.length; k++) {
    const value = job[LEDGER_COLUMNS[k]!];
    out[k] = typeof value === 'number' ? String(value) : (value ?? '');
  }
  const extra = job.extra;
  for (let x = 0; x < extraColumns.length; x++) {
    const name = extraColumns[x]!;
    out[LEDGER_COLUMNS.length + x] = extra !== undefined && Object.hasOwn(extra, name) ? (extra[name] ?? '') : '';
  }
  return out;
}

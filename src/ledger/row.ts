/** One ledger record to a Job and back. Reading checks every field; writing trusts the Job type. */
import { classOfRecordedFailure } from '../core/classify.js';
import { DEFAULT_MAX_ATTEMPTS, LEDGER_COLUMNS, STATUSES, type Job, type LedgerColumn, type Status } from '../core/job.js';
import { parseTime } from '../core/time.js';
import { InputError } from '../errors.js';
import { CellArray, type RecordFields } from './csvRecords.js';
import type { Layout } from './header.js';

const NUMBER_DEFAULTS = { attempts: 0, max_attempts: DEFAULT_MAX_ATTEMPTS, pass_number: 0 } as const;
const WHOLE_NUMBER = /^[0-9]{1,15}$/;
/** Each status as its one shared string: a row keeps that, not the copy read from the file. */
const STATUS_OF: ReadonlyMap<string, Status> = new Map(STATUSES.map((status) => [status, status]));

/** Where a record is, for messages: its line is looked up only when one is needed. */
export interface RecordPlace {
  file: string;
  lineOf(index: number): number;
  index: number;
}

type NumberColumn = keyof typeof NUMBER_DEFAULTS;
type TimeColumn = 'claimed_at' | 'completed_at' | 'retry_at';

/** Field of a record for LEDGER_COLUMNS[k], '' when the file lacks that column. */
function cell(fields: RecordFields, layout: Layout, k: number): string {
  const i = layout.known[k]!;
  return i === -1 ? '' : fields.text(i);
}

/**
 * One record to a Job, checking every field. `cells` is the record, or a reader of its fields (the
 * byte reader decodes each field only when asked). No closure is made per record: a ledger has
 * 100,000 of them.
 */
export function recordToJob(cells: readonly string[] | RecordFields, layout: Layout, place: RecordPlace): Job {
  const fields: RecordFields = Array.isArray(cells) ? new CellArray(cells as readonly string[]) : cells as RecordFields;
  const job_id = cell(fields, layout, 0);
  if (job_id === '') throw parseError(place, 'job_id', 'job_id is empty', 'Every row needs a unique job_id; fill it in or delete the row.');
  const statusText = cell(fields, layout, 4);
  const status = STATUS_OF.get(statusText);
  if (status === undefined) {
    throw parseError(place, 'status', `status "${statusText}" of job ${job_id} is not one of ${STATUSES.join(', ')}`, 'Write one of those, in lower case.');
  }
  const job: Job = {
    job_id,
    account: cell(fields, layout, 1),
    video_path: cell(fields, layout, 2),
    caption: cell(fields, layout, 3),
    status,
    worker_id: cell(fields, layout, 5),
    claimed_at: timeCell(fields, layout, place, job_id, 'claimed_at', 6),
    completed_at: timeCell(fields, layout, place, job_id, 'completed_at', 7),
    error: cell(fields, layout, 8),
    attempts: numberCell(fields, layout, place, job_id, 'attempts', 9),
    max_attempts: numberCell(fields, layout, place, job_id, 'max_attempts', 10),
    retry_at: timeCell(fields, layout, place, job_id, 'retry_at', 11),
    error_type: cell(fields, layout, 12),
    error_category: cell(fields, layout, 13),
    pass_number: numberCell(fields, layout, place, job_id, 'pass_number', 14),
    run_id: cell(fields, layout, 15),
    video_id: cell(fields, layout, 16),
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
    for (let x = 0; x < layout.extraColumns.length; x++) extra[layout.extraColumns[x]!] = fields.text(layout.extraIndexes[x]!);
    job.extra = extra;
  }
  return job;
}

function numberCell(fields: RecordFields, layout: Layout, place: RecordPlace, jobId: string, column: NumberColumn, k: number): number {
  const text = cell(fields, layout, k);
  if (text === '') return NUMBER_DEFAULTS[column];
  if (!WHOLE_NUMBER.test(text)) {
    throw parseError(place, column, `${column} of job ${jobId} is "${text}", not a whole number`, `Write a whole number of 0 or more, or leave it empty for the default (${NUMBER_DEFAULTS[column]}).`);
  }
  return Number(text);
}

function timeCell(fields: RecordFields, layout: Layout, place: RecordPlace, jobId: string, column: TimeColumn, k: number): string {
  const text = cell(fields, layout, k);
  // The same parser every rule reads times with: a cell that passes here is a time everywhere.
  if (text !== '' && parseTime(text) === undefined) {
    throw parseError(place, column, `${column} of job ${jobId} is "${text}", not a time`, 'Write an ISO 8601 time such as 2026-11-29T22:01:03Z (UTC) or 2026-11-29T22:01:03.123456 (local time, as the seed system writes it), or leave it empty.');
  }
  return text;
}

function parseError(place: RecordPlace, column: LedgerColumn, problem: string, hint: string): InputError {
  return new InputError('LEDGER_PARSE', { file: place.file, line: place.lineOf(place.index), column }, problem, { hint: `${hint} The file has not been changed.` });
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

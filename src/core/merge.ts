/**
 * The three-way merge of an operator's edit of the ledger into the live rows (G7). Pure: no I/O,
 * no clock (`now` is passed in).
 *
 * base    = the rows as daycap last wrote them to the CSV,
 * edited  = the rows in the operator's file,
 * current = daycap's live rows.
 *
 * Row by row: an operator change is applied only where daycap has not touched the row since base,
 * and only if it is a change an operator may make. Columns daycap keeps itself (worker_id, times,
 * error, attempts, ...) cannot be edited: a change there is refused. Besides keeping bookkeeping
 * honest, this is what catches a stale copy: an editor that loaded the file before a job failed
 * and saves it after shows the row's older state, whose bookkeeping columns differ from base, so
 * the "change" is refused instead of reviving the job.
 *
 * No accepted change can add to an account's count (G1) or create a claim (G2): operators never
 * claim, new rows are pending or skipped, field edits only touch uncounted rows, and the one move
 * into a counted status (unconfirmed -> success) starts from a counted row of the same account.
 */
import { CAPPED_STATUSES, cloneJob, LEDGER_COLUMNS, newJob, TIME_COLUMNS, type Job, type LedgerColumn, type Status } from './job.js';
import { isoTime, parseTime, type FormatTime } from './time.js';
import type { DayState } from './day-state.js';
import { operatorUpdate } from './operator-actions.js';
import { DaycapError } from '../errors.js';

/** Status moves an operator may make by editing the ledger (from -> allowed targets). */
export const OPERATOR_TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = {
  pending: ['skipped'],
  skipped: ['pending'],
  failed: ['pending', 'skipped'],
  retrying: ['pending', 'skipped'],
  // The operator knows whether it posted: not posted -> run it again; posted -> success.
  unconfirmed: ['pending', 'success'],
  claimed: [],
  success: [],
};

/** Columns an operator may edit, on a job in one of EDITABLE_STATUSES. */
export const OPERATOR_FIELDS = ['account', 'video_path', 'caption', 'max_attempts'] as const satisfies readonly LedgerColumn[];
/** Not yet in flight or done: its inputs may still change. */
export const EDITABLE_STATUSES: ReadonlySet<Status> = new Set(['pending', 'skipped', 'failed', 'retrying']);
/** Statuses a row the operator adds may have. */
export const NEW_ROW_STATUSES: ReadonlySet<Status> = new Set(['pending', 'skipped']);

const OPERATOR_COLUMNS: ReadonlySet<LedgerColumn> = new Set<LedgerColumn>(['job_id', 'status', ...OPERATOR_FIELDS]);
/** Columns daycap maintains; an operator's change to one of them is refused. */
export const DAYCAP_COLUMNS: readonly LedgerColumn[] = LEDGER_COLUMNS.filter((c) => !OPERATOR_COLUMNS.has(c));
/** Of those, the ones a new row may carry over (a campaign's video id). */
const NEW_ROW_KEEPS: ReadonlySet<LedgerColumn> = new Set<LedgerColumn>(['video_id']);
const TIMES: ReadonlySet<LedgerColumn> = new Set<LedgerColumn>(TIME_COLUMNS);

/** What the merge needs of the live rows; a DayState fits. */
export interface LiveRows {
  get(jobId: string): Readonly<Job> | undefined;
}

export interface MergeInput {
  base: readonly Job[];
  edited: readonly Job[];
  current: LiveRows;
  now: number;
  /** How the times the merge writes look: the ledger's convention (default UTC with a `Z`). */
  formatTime?: FormatTime;
  /** Line on which `edited[i]` starts in the operator's file, for the report. */
  editedLines?: readonly number[];
}

export interface MergeAction {
  kind: 'add' | 'update';
  /** The row as it will be (an update starts from the live row, with the operator's change and its bookkeeping). */
  job: Job;
  /** For an update: the live row the plan was made against; applying refuses if it changed since. */
  expected?: Job;
  reason: string;
  line?: number;
}

export interface MergeRefusal {
  jobId: string;
  line?: number;
  reason: string;
}

export interface MergePlan {
  apply: MergeAction[];
  refused: MergeRefusal[];
}

export function mergeEdit(input: MergeInput): MergePlan {
  const { current } = input;
  // The one time a merge may write (an unconfirmed job the operator marks posted), in the ledger's convention.
  const stamp = (input.formatTime ?? isoTime)(input.now);
  const base = new Map<string, Job>();
  for (const row of input.base) base.set(row.job_id, row);
  const plan: MergePlan = { apply: [], refused: [] };
  const seen = new Set<string>();

  input.edited.forEach((edited, i) => {
    const id = edited.job_id;
    const line = input.editedLines?.[i];
    const at = line === undefined ? {} : { line };
    const refuse = (reason: string) => plan.refused.push({ jobId: id, ...at, reason });
    if (seen.has(id)) return refuse(`job_id ${id} appears more than once in the edited file; each job_id must be unique`);
    seen.add(id);

    const was = base.get(id);
    const live = current.get(id);
    if (!was) {
      if (!live) {
        const added = newRow(edited);
        if (typeof added === 'string') return refuse(added);
        return void plan.apply.push({ kind: 'add', job: added.job, reason: added.reason, ...at });
      }
      if (sameRow(edited, live)) return;
      return refuse(`job ${id} was added by daycap after it last wrote the file, so this row is not new; reload the file and edit the row as daycap has it`);
    }
    if (sameRow(edited, was)) return;
    if (!live) return refuse(`job ${id} is no longer among daycap's rows; the change was not applied`);
    if (sameRow(edited, live)) return;
    if (!sameRow(live, was)) {
      return refuse(`conflict: daycap changed job ${id} since it last wrote the file (${describeMove(was.status, live.status)}); your change was not applied. Reload the file and redo it if it still applies`);
    }
    const change = operatorChange(was, edited, stamp);
    if (typeof change === 'string') return refuse(change);
    plan.apply.push({ kind: 'update', job: change.job, expected: cloneJob(live), reason: change.reason, ...at });
  });

  for (const row of input.base) {
    if (seen.has(row.job_id)) continue;
    plan.refused.push({
      jobId: row.job_id,
      reason: `row of job ${row.job_id} was deleted; rows are never deleted (G4), so it stays in the ledger. To set a job aside, change its status to skipped`,
    });
  }
  return plan;
}

export interface AppliedMerge {
  /** Copies of the rows as changed or added, in plan order: journal them, then snapshot. */
  changed: Job[];
  /** Plan actions refused at apply time (the row changed after planning). */
  refused: MergeRefusal[];
}

/**
 * Applies a plan through the day's own moves, so every index stays right. Plan and apply are
 * meant to run in one synchronous stretch; if a row changed in between anyway, that action is
 * refused as a conflict rather than applied over daycap's change.
 */
export function applyMergePlan(day: DayState, plan: MergePlan): AppliedMerge {
  const out: AppliedMerge = { changed: [], refused: [] };
  for (const action of plan.apply) {
    const id = action.job.job_id;
    const at = action.line === undefined ? {} : { line: action.line };
    try {
      if (action.kind === 'add') {
        if (day.has(id)) {
          out.refused.push({ jobId: id, ...at, reason: `job ${id} was added by daycap while the edit was being merged; the new row was not added` });
          continue;
        }
        out.changed.push(day.add(action.job));
      } else {
        const live = day.get(id);
        if (!live || !action.expected || !sameRow(live, action.expected)) {
          out.refused.push({ jobId: id, ...at, reason: `conflict: daycap changed job ${id} while the edit was being merged; your change was not applied` });
          continue;
        }
        out.changed.push(operatorUpdate(day, id, action.job));
      }
    } catch (err) {
      if (!(err instanceof DaycapError)) throw err;
      out.refused.push({ jobId: id, ...at, reason: err.message });
    }
  }
  return out;
}

/** Equal as ledger rows: time columns by instant (an editor may rewrite 'Z' as '+00:00'), extras with missing = ''. */
export function sameRow(a: Readonly<Job>, b: Readonly<Job>): boolean {
  for (const column of LEDGER_COLUMNS) if (!sameCell(column, a, b)) return false;
  return extraColumnsDiffering(a, b).length === 0;
}

/**
 * Equal as the operator would see it: a spreadsheet may save line breaks inside a cell as CRLF,
 * and an editor may rewrite a time's 'Z' as '+00:00'. Neither is a change.
 */
function sameCell(column: LedgerColumn, a: Readonly<Job>, b: Readonly<Job>): boolean {
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

function extraColumnsDiffering(a: Readonly<Job>, b: Readonly<Job>): string[] {
  if (!a.extra && !b.extra) return [];
  const names = new Set([...Object.keys(a.extra ?? {}), ...Object.keys(b.extra ?? {})]);
  const out: string[] = [];
  for (const name of names) if (!sameText(a.extra?.[name] ?? '', b.extra?.[name] ?? '')) out.push(name);
  return out;
}

/** An operator's change to a row daycap has not touched since base: the new row, or why not. */
function operatorChange(was: Readonly<Job>, edited: Readonly<Job>, stamp: string): { job: Job; reason: string } | string {
  const id = was.job_id;
  const owned = DAYCAP_COLUMNS.filter((c) => !sameCell(c, was, edited));
  if (owned.length > 0) {
    return `job ${id}: column${owned.length > 1 ? 's' : ''} ${owned.join(', ')} changed, but daycap keeps ${owned.length > 1 ? 'those' : 'that'} itself; ` +
      `edit only status, ${OPERATOR_FIELDS.join(', ')}. If your editor had the file open for a while, reload it, redo the change and save again`;
  }
  const from = was.status;
  const to = edited.status;
  if (from !== to && !OPERATOR_TRANSITIONS[from].includes(to)) {
    const allowed = OPERATOR_TRANSITIONS[from];
    return `job ${id}: status ${from} -> ${to} is not a change an operator can make` +
      (allowed.length ? ` (from ${from}: ${allowed.join(' or ')})` : ` (a ${from} job's status is daycap's to change)`);
  }
  const fields = OPERATOR_FIELDS.filter((c) => !sameCell(c, was, edited));
  if (fields.length > 0 && !EDITABLE_STATUSES.has(from)) {
    return `job ${id} is ${from}: its ${fields.join(', ')} can no longer be changed (only on pending, skipped, failed or retrying jobs)`;
  }
  if (fields.includes('max_attempts') && !(Number.isInteger(edited.max_attempts) && edited.max_attempts >= 1)) {
    return `job ${id}: max_attempts must be a whole number of at least 1, not ${edited.max_attempts}`;
  }
  // Redundant with the table above, on purpose: this is the line G1 and G2 rest on.
  if (to === 'claimed' || (CAPPED_STATUSES.has(to) && !(CAPPED_STATUSES.has(from) && edited.account === was.account))) {
    return `job ${id}: ${from} -> ${to} would count toward account ${edited.account}'s daily cap; refused`;
  }

  // Only what differs is taken from the edit; the rest stays byte for byte as daycap has it.
  const job = cloneJob(was);
  if (fields.includes('account')) job.account = edited.account;
  if (fields.includes('video_path')) job.video_path = edited.video_path;
  if (fields.includes('caption')) job.caption = edited.caption;
  if (fields.includes('max_attempts')) job.max_attempts = edited.max_attempts;
  const extras = extraColumnsDiffering(was, edited);
  if (extras.length > 0) job.extra = { ...(was.extra ?? {}), ...Object.fromEntries(extras.map((n) => [n, edited.extra?.[n] ?? ''])) };
  job.status = to;
  if (from !== to) bookkeeping(job, from, to, stamp);

  const parts: string[] = [];
  if (from !== to) parts.push(describeMove(from, to));
  if (fields.length > 0) parts.push(`${fields.join(', ')} edited`);
  if (extras.length > 0) parts.push(`${extras.join(', ')} edited`);
  return { job, reason: `operator: ${parts.join('; ')}` };
}

/** What daycap's own commands do on the same move (retry-failed, release-stale, verify, skip). */
function bookkeeping(job: Job, from: Status, to: Status, stamp: string): void {
  if (to === 'pending') {
    job.worker_id = '';
    job.claimed_at = '';
    job.retry_at = '';
    job.run_id = '';
    if (from === 'failed' || from === 'skipped') {
      // A fresh start, as `retry-failed` gives: the old error no longer describes the job.
      job.attempts = 0;
      job.error = '';
      job.error_type = '';
      job.error_category = '';
    }
  } else if (to === 'skipped') {
    job.retry_at = '';
  } else if (to === 'success') {
    job.completed_at = stamp;
    job.error = '';
    job.error_type = '';
    job.error_category = '';
  }
}

/** A row with a job_id daycap has never had: a new job, or why not. */
function newRow(edited: Readonly<Job>): { job: Job; reason: string } | string {
  const id = edited.job_id;
  if (!NEW_ROW_STATUSES.has(edited.status)) {
    return `new job ${id} has status ${edited.status}; a new row must be pending or skipped`;
  }
  if (!(Number.isInteger(edited.max_attempts) && edited.max_attempts >= 1)) {
    return `new job ${id}: max_attempts must be a whole number of at least 1, not ${edited.max_attempts}`;
  }
  const fresh = newJob({ job_id: id });
  const job = newJob({
    job_id: id, account: edited.account, video_path: edited.video_path, caption: edited.caption,
    status: edited.status, max_attempts: edited.max_attempts, video_id: edited.video_id,
  });
  if (edited.extra) job.extra = { ...edited.extra };
  const cleared = DAYCAP_COLUMNS.filter((c) => !NEW_ROW_KEEPS.has(c) && !sameCell(c, fresh, edited));
  return {
    job,
    reason: `operator: new ${edited.status} job` + (cleared.length ? ` (daycap's own columns ${cleared.join(', ')} start empty)` : ''),
  };
}

function describeMove(from: Status, to: Status): string {
  return from === to ? `still ${to}, other columns changed` : `${from} -> ${to}`;
}

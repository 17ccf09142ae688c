/**
 * What an operator may change by editing the ledger during a run (G7), and what daycap does with
 * such a change: the status moves allowed, the columns an operator owns, the bookkeeping a move
 * brings, and what a new row may be. Each rule answers with the new row, or with why not, in words
 * for the operator.
 *
 * No accepted change can add to an account's count (G1) or create a claim (G2): operators never
 * claim, new rows are pending or skipped, field edits only touch uncounted rows, and the one move
 * into a counted status (unconfirmed -> success) starts from a counted row of the same account.
 */
import { CAPPED_STATUSES, cloneJob, LEDGER_COLUMNS, newJob, type Job, type LedgerColumn, type Status } from './job.js';
import { extraColumnsDiffering, sameCell } from './same-row.js';

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

/** An operator's change to a row daycap has not touched since base: the new row, or why not. */
export function operatorChange(was: Readonly<Job>, edited: Readonly<Job>, stamp: string): { job: Job; reason: string } | string {
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
export function newRow(edited: Readonly<Job>): { job: Job; reason: string } | string {
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

export function describeMove(from: Status, to: Status): string {
  return from === to ? `still ${to}, other columns changed` : `${from} -> ${to}`;
}

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
 * What an operator may change, and how, is operator-edits.ts; how rows compare, same-row.ts.
 */
import { cloneJob, type Job } from './job.js';
import { isoTime, type FormatTime } from './time.js';
import type { DayState } from './day-state.js';
import { operatorUpdate } from './operator-actions.js';
import { describeMove, newRow, operatorChange } from './operator-edits.js';
import { sameRow } from './same-row.js';
import { DaycapError } from '../errors.js';

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

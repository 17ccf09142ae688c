/**
 * The day's rows in memory and their indexes: `apply` is the one way a row changes, so the indexes
 * cannot drift from the rows. A step of changes can be recorded and undone, for a store whose write
 * failed (memory never runs ahead of what is durable). The rules that decide which changes are
 * made live in core/day-state.ts, core/transitions.ts and core/claim-policy.ts.
 */
import { accountNews, type AccountNews } from './account-news.js';
import type { AccountState } from './account-state.js';
import type { CapSkip } from './claim-policy.js';
import { DayIndexes, type IndexRules } from './day-indexes.js';
import { cloneJob, type Job, type StatusCounts } from './job.js';
import { DaycapError } from '../errors.js';

/** What undoes one recorded step. */
export interface StepUndo {
  readonly rows: ReadonlyMap<string, Job | undefined>;
}

export class DayRows {
  protected readonly jobs = new Map<string, Job>();
  protected readonly indexes: DayIndexes;
  private news: AccountNews[] = [];
  /** Rows as they were before the step being recorded first touched them (undefined: added by it). */
  private recording: Map<string, Job | undefined> | undefined;

  constructor(protected readonly indexRules: IndexRules) {
    this.indexes = new DayIndexes(indexRules, (id) => this.jobs.get(id));
  }

  get size(): number {
    return this.jobs.size;
  }

  has(jobId: string): boolean {
    return this.jobs.has(jobId);
  }

  /** The live row; callers must not mutate it. */
  get(jobId: string): Readonly<Job> | undefined {
    return this.jobs.get(jobId);
  }

  /** The live row, or UNKNOWN_JOB. */
  require(jobId: string): Readonly<Job> {
    const job = this.jobs.get(jobId);
    if (!job) throw new DaycapError('UNKNOWN_JOB', `no job ${jobId} in the ledger`);
    return job;
  }

  /** All rows in ledger order (insertion order), as copies. */
  all(): Job[] {
    return [...this.jobs.values()].map(cloneJob);
  }

  /** The live rows in ledger order, without copying; callers must not mutate them. */
  rows(): IterableIterator<Readonly<Job>> {
    return this.jobs.values();
  }

  statusCounts(): StatusCounts {
    return { ...this.indexes.counts };
  }

  /** Pending jobs with no account: never claimed. */
  get unassigned(): number {
    return this.indexes.unassigned;
  }

  accountNames(): string[] {
    return [...this.indexes.accounts.keys()];
  }

  /** An account's indexed state (for reports and checks), if it has any row. */
  accountState(account: string): Readonly<AccountState> | undefined {
    return this.indexes.accounts.get(account);
  }

  /** Adds a new row as it is (seeding, merging new rows); returns the day's row, which is never changed. */
  add(job: Job): Job {
    if (this.jobs.has(job.job_id)) throw new DaycapError('DUPLICATE_JOB', `job ${job.job_id} is already in the ledger`);
    return this.insert(cloneJob(job));
  }

  protected insert(row: Job): Job {
    if (this.jobs.has(row.job_id)) throw new DaycapError('DUPLICATE_JOB', `job ${row.job_id} is already in the ledger`);
    if (this.recording && !this.recording.has(row.job_id)) this.recording.set(row.job_id, undefined);
    this.jobs.set(row.job_id, row);
    this.indexes.add(row);
    if (row.account) this.indexes.refresh(this.indexes.account(row.account));
    return row;
  }

  /**
   * Makes `next` the row of its job: the one way rows change, so the indexes cannot drift from
   * them. `next` is taken over, not copied, and returned: a row object is never changed once it is
   * the day's (each move makes a new one), so callers and subscribers may keep it. Notes the account
   * news the change causes (see drainNews).
   */
  apply(next: Job): Job {
    const before = this.require(next.job_id) as Job;
    if (next === before) throw new DaycapError('BUG_APPLY', `apply(${next.job_id}) was given the live row itself`, { operatorError: false });
    // The replaced row object is never changed again, so it can be kept as it is for an undo.
    if (this.recording && !this.recording.has(before.job_id)) this.recording.set(before.job_id, before);
    const frozenBefore = before.account ? this.indexes.accounts.get(before.account)?.frozenReason : undefined;
    this.indexes.remove(before);
    const row = next;
    this.jobs.set(row.job_id, row);
    this.indexes.add(row);
    if (before.account) this.indexes.refresh(this.indexes.account(before.account));
    if (row.account && row.account !== before.account) this.indexes.refresh(this.indexes.account(row.account));
    // Only a failure, a cooldown or a freeze lifted is news; most changes (claims, posts) are none.
    if (frozenBefore !== undefined || row.status === 'failed' || row.extra !== undefined) {
      const frozenAfter = before.account ? this.indexes.accounts.get(before.account)?.frozenReason : undefined;
      for (const item of accountNews(before, row, { before: frozenBefore, after: frozenAfter }, this.indexRules.health)) this.news.push(item);
    }
    return row;
  }

  /**
   * Starts recording a step: every row it changes or adds, as it was before, so that the step can
   * be undone if making it durable fails (memory never runs ahead of what is durable).
   */
  beginStep(): void {
    this.recording = new Map();
  }

  /** Ends the recording; the result undoes the step (see undo). */
  endStep(): StepUndo {
    const recorded = this.recording ?? new Map<string, Job | undefined>();
    this.recording = undefined;
    return { rows: recorded };
  }

  /** Puts back every row a step changed and removes the rows it added. Undo later steps first. */
  undo(step: StepUndo): void {
    for (const [jobId, before] of [...step.rows].reverse()) {
      const current = this.jobs.get(jobId);
      if (current) this.indexes.remove(current);
      if (before) {
        this.jobs.set(jobId, before);
        this.indexes.add(before);
      } else {
        this.jobs.delete(jobId);
      }
      for (const account of new Set([current?.account, before?.account])) if (account) this.indexes.refresh(this.indexes.account(account));
    }
  }

  /** Account news since the last call, in the order the changes were applied. */
  drainNews(): AccountNews[] {
    const out = this.news;
    this.news = [];
    return out;
  }

  /** Jobs newly held back by the day's cap since the last call (for the log). */
  drainCapSkips(): CapSkip[] {
    return this.indexes.drainCapSkips();
  }
}

/**
 * The steps a store has applied to the day in memory but whose journal records are not yet known
 * durable. A step is durable once the journal holds its records, known the moment their sync
 * returns; if a write fails, every step the journal does not hold is undone, newest first, so memory
 * never runs ahead of the disk. docs/design.md#the-store-seam-srcstore.
 */
import type { DayState, StepUndo } from '../core/day-state.js';
import type { Job } from '../core/job.js';

/** The journal's two counts of records: handed to it so far, and known durable. */
export interface JournalCounts {
  readonly committed: number;
  readonly durable: number;
}

export class UndurableSteps {
  /** Oldest first; `durableAt`: the durable count that makes the step durable (Infinity until its records are handed over). */
  private steps: Array<{ undo: StepUndo; durableAt: number }> = [];

  constructor(private readonly day: DayState, private readonly journal: JournalCounts) {}

  /** Runs one step's changes to the day, recorded so that they can be undone. */
  record<T>(apply: () => T): T {
    this.day.beginStep();
    try {
      return apply();
    } finally {
      const undo = this.day.endStep();
      // A step that changed nothing has nothing to make durable, nor to undo.
      if (undo.rows.size > 0) this.steps.push({ undo, durableAt: Infinity });
    }
  }

  /** Call right after handing the recorded steps' records to the journal (they were counted as the call was made). */
  handedOver(): void {
    for (const step of this.steps) if (step.durableAt === Infinity) step.durableAt = this.journal.committed;
  }

  /** Every step is durable (a one-shot command's snapshot landed). */
  allDurable(): void {
    this.steps = [];
  }

  /** Forgets the undo of every step whose records the journal now holds durably. */
  settle(): void {
    const durable = this.journal.durable;
    let done = 0;
    while (done < this.steps.length && this.steps[done]!.durableAt <= durable) done += 1;
    if (done > 0) this.steps.splice(0, done);
  }

  /**
   * Undoes, newest first (a later step may build on an earlier one), every step the journal does
   * not hold durably. A step whose sync returned but whose caller has not heard yet is kept.
   */
  undo(): void {
    this.settle();
    const steps = this.steps;
    this.steps = [];
    for (const step of steps.reverse()) this.day.undo(step.undo);
  }

  /**
   * The rows as the durable journal has them (live rows are shared, not copied): a row a step not
   * yet durable changed is taken as it was before that step, and a row it added is left out.
   */
  durableRows(): { rows: Job[]; covering: number } {
    this.settle();
    const covering = this.journal.durable;
    if (this.steps.length === 0) return { rows: [...this.day.rows()], covering };
    const before = new Map<string, Job | undefined>();
    for (const step of this.steps) for (const [jobId, row] of step.undo.rows) if (!before.has(jobId)) before.set(jobId, row);
    const rows: Job[] = [];
    for (const row of this.day.rows()) {
      const durable = before.has(row.job_id) ? before.get(row.job_id) : row;
      if (durable) rows.push(durable);
    }
    return { rows, covering };
  }
}

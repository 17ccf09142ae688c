/**
 * The end of a run: the worker threads are let go, claims they still held are recorded as
 * unconfirmed (their fate is unknown, G5), the store writes its final form and lets the ledger go,
 * and subscribers hear the summary and the exit code.
 */
import { StorageError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { RunEventStream, EndReason, RunSummary } from './events.js';
import { exitCodeFor } from './exit-codes.js';
import { tellCapSkips } from './news.js';
import type { WorkerSlots } from './slots.js';

export interface EndContext {
  store: Store;
  events: RunEventStream;
  slots: WorkerSlots;
  clock: () => number;
  runId: string;
  ledger: string;
  reason: () => EndReason;
  /** Why the run stopped early, when a fatal error stopped it. */
  cause: () => string | undefined;
  fatal: (reason: EndReason, message: string) => void;
  startedAt: number;
  passes: () => number;
  processed: () => number;
  /** Jobs whose reports the store could not record before the end. */
  unrecorded: () => readonly string[];
  closeControl: () => Promise<unknown>;
  endHooks: ReadonlyArray<() => Promise<void>>;
  /** Work that needs the run-ended event (the last notifications), done before the run resolves. */
  afterEndHooks: ReadonlyArray<() => Promise<void>>;
}

export async function endRun(ctx: EndContext): Promise<{ summary: RunSummary; exitCode: number; reason: EndReason }> {
  const { store, events, clock } = ctx;
  await ctx.closeControl();
  // Let the loops end by themselves (a stopped worker finishes at once); only then end the pool.
  await ctx.slots.close();
  const writable = () => ctx.reason() !== 'storage-failed' && ctx.reason() !== 'lock-lost';
  const unrecorded: string[] = [...ctx.unrecorded()];
  for (const slot of ctx.slots.all) {
    const held = slot.jobs.splice(0);
    if (held.length === 0) continue;
    if (!writable()) {
      unrecorded.push(...held.map((job) => job.job_id));
      continue;
    }
    // Jobs still marked in flight belong to threads just stopped: their fate is unknown.
    const result = await store.exchange({ runId: ctx.runId, workerId: slot.id, now: clock(), reports: held.map((job) => ({ kind: 'lost', jobId: job.job_id })), want: 0 }).catch(() => undefined);
    for (const job of result?.settled ?? []) events.emit('job-unconfirmed', { job, workerId: slot.id, reason: 'its worker was stopped before it reported', at: clock() });
    if (result) tellCapSkips(events, result.capSkips, clock());
  }
  if (unrecorded.length > 0) {
    // Nothing more could be written: the operator must know which posts may have happened unrecorded.
    events.emit('warning', { message: `could not record the outcome of ${unrecorded.length} job${unrecorded.length === 1 ? '' : 's'} in flight (they stay claimed in the ledger and show as unconfirmed on the next run; check the platform): ${unrecorded.join(', ')}`, at: clock() });
  }
  try {
    await store.close({ final: writable(), label: ctx.runId });
  } catch (error) {
    // A disk fault in the final snapshot or journal seal is a storage failure like any other: the
    // store has said so (and left the journal for the next start); the run ends with exit code 5.
    const storeSaidSo = !writable();
    if (!storeSaidSo && !isStorageFailure(error)) throw error;
    ctx.fatal('storage-failed', `could not write the ledger: ${error instanceof Error ? error.message : String(error)}`);
  }
  const reason = ctx.reason();
  const tally = await store.tally();
  const summary: RunSummary = {
    runId: ctx.runId, ledger: ctx.ledger, counts: tally.counts, unassigned: tally.unassigned, jobs: tally.jobs,
    startedAt: ctx.startedAt, endedAt: clock(), passes: ctx.passes(), processed: ctx.processed(),
  };
  const exitCode = exitCodeFor(reason, summary);
  for (const hook of ctx.endHooks) await hook();
  const cause = ctx.cause();
  events.emit('run-ended', { summary, reason, exitCode, at: clock(), ...(cause === undefined ? {} : { cause }) });
  for (const hook of ctx.afterEndHooks) await hook();
  return { summary, exitCode, reason };
}

/** An error of the file layer (a StorageError, or a raw fs error such as EIO), not a bug. */
function isStorageFailure(error: unknown): boolean {
  if (error instanceof StorageError) return true;
  const { code, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  return typeof code === 'string' && typeof syscall === 'string';
}

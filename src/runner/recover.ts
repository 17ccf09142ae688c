/**
 * A run's start-up recovery (G5): claims left by a run that died become `unconfirmed` (they may
 * have posted), the handler's `verify` settles what it can, and a torn journal tail is reported.
 * Everything it changes is made durable before the first claim.
 */
import type { Job } from '../core/job.js';
import type { Tracker } from '../core/tracker.js';
import type { LoadedHandler } from '../handlers/types.js';
import { tornTailWarning, type LedgerStore } from '../ledger/store.js';
import type { RunEventStream } from './events.js';

export interface RecoveryContext {
  tracker: Tracker;
  store: LedgerStore;
  handler: LoadedHandler;
  events: RunEventStream;
  clock: () => number;
  runId: string;
  /** How long verify may take for one job before its answer counts as `unknown`. */
  verifyTimeoutMs: number;
}

export async function recoverAtStart(ctx: RecoveryContext): Promise<void> {
  const { tracker, store, events, clock } = ctx;
  const orphans = tracker.adoptOrphans(ctx.runId, clock());
  const settled = { posted: 0, notPosted: 0, unknown: 0 };
  const changed: Job[] = [...orphans];
  const verify = ctx.handler.verify;
  if (verify) {
    for (const job of tracker.all()) {
      if (job.status !== 'unconfirmed') continue;
      const verdict = await verifyWithTimeout(verify, job, ctx.verifyTimeoutMs);
      if (verdict === 'posted') settled.posted += 1;
      else if (verdict === 'not-posted') settled.notPosted += 1;
      else settled.unknown += 1;
      const row = tracker.settle(job.job_id, verdict, clock());
      if (row) changed.push(row);
    }
  }
  if (changed.length > 0) await store.commit(changed);
  const torn = tornTailWarning(store.recovered);
  if (torn) events.emit('warning', { message: torn, at: clock() });
  const unconfirmed = tracker.statusCounts().unconfirmed + settled.posted + settled.notPosted;
  if (orphans.length > 0 || unconfirmed > 0 || store.recovered) {
    events.emit('recovered', { unconfirmed, ...settled, journalRecords: store.recovered?.records ?? 0, at: clock() });
  }
}

async function verifyWithTimeout(verify: NonNullable<LoadedHandler['verify']>, job: Job, timeoutMs: number): Promise<'posted' | 'not-posted' | 'unknown'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const verdict = await Promise.race([
      verify(job),
      new Promise<'unknown'>((resolve) => {
        timer = setTimeout(() => resolve('unknown'), timeoutMs);
      }),
    ]);
    return verdict === 'posted' || verdict === 'not-posted' ? verdict : 'unknown';
  } catch {
    return 'unknown';
  } finally {
    clearTimeout(timer);
  }
}

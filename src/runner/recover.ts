/**
 * A run's start-up recovery (G5): claims left by a run that died become `unconfirmed` (they may
 * have posted), the handler's `verify` settles what it can, and what the store found while opening
 * (a torn journal tail) is reported. Everything it changes is durable before the first claim.
 */
import type { Job } from '../core/job.js';
import type { LoadedHandler } from '../handlers/types.js';
import type { Store } from '../store/store.js';
import type { RunEventStream } from './events.js';
import type { CapSkip } from '../core/claim-policy.js';
import { tellAccountNews } from './news.js';

export interface RecoveryContext {
  store: Store;
  handler: LoadedHandler;
  events: RunEventStream;
  clock: () => number;
  runId: string;
  /** How long verify may take for one job before its answer counts as `unknown`. */
  verifyTimeoutMs: number;
}

type Verdict = 'posted' | 'not-posted' | 'unknown';

/**
 * Returns the jobs the cap holds back as the day starts, for the run to tell once it has said it
 * started (the log reads in order).
 */
export async function recoverAtStart(ctx: RecoveryContext): Promise<CapSkip[]> {
  const { store, events, clock } = ctx;
  const orphans = await store.act({ kind: 'adopt-orphans', runId: ctx.runId }, clock());
  const capSkips = [...orphans.capSkips];
  const settled = { posted: 0, notPosted: 0, unknown: 0 };
  const verify = ctx.handler.verify;
  if (verify) {
    const verdicts: Array<{ jobId: string; verdict: Verdict }> = [];
    for (const job of await store.rows()) {
      if (job.status !== 'unconfirmed') continue;
      const verdict = await verifyWithTimeout(verify, job, ctx.verifyTimeoutMs);
      settled[verdict === 'posted' ? 'posted' : verdict === 'not-posted' ? 'notPosted' : 'unknown'] += 1;
      verdicts.push({ jobId: job.job_id, verdict });
    }
    const acted = await store.act({ kind: 'verified', verdicts }, clock());
    tellAccountNews(events, acted.news, acted.changed, clock());
    capSkips.push(...acted.capSkips);
  }
  for (const notice of store.notices) events.emit('warning', { message: notice, at: clock() });
  const unconfirmed = (await store.tally()).counts.unconfirmed + settled.posted + settled.notPosted;
  if (orphans.changed.length > 0 || unconfirmed > 0 || store.recoveredRecords !== undefined) {
    events.emit('recovered', { unconfirmed, ...settled, journalRecords: store.recoveredRecords ?? 0, at: clock() });
  }
  return capSkips;
}

async function verifyWithTimeout(verify: NonNullable<LoadedHandler['verify']>, job: Job, timeoutMs: number): Promise<Verdict> {
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

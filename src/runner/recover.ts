/**
 * A run's recovery (G5): claims left by a run that died become `unconfirmed` (they may have
 * posted), the handler's `verify` settles what it can, and what the store found while opening (a
 * torn journal tail) is reported. At start-up everything it changes is durable before the first
 * claim; on a shared ledger the claims of a run on another host whose lease ran out are settled the
 * same way mid-run, when the store says it adopted them.
 */
import type { Job } from '../core/job.js';
import type { LoadedHandler, VerifyHandler, VerifyVerdict } from '../handlers/types.js';
import type { Store, StoreNews } from '../store/store.js';
import type { RunEventStream } from './events.js';
import type { CapSkip } from '../core/claim-policy.js';
import { tellAccountNews, tellCapSkips } from './news.js';

export interface RecoveryContext {
  store: Store;
  handler: LoadedHandler;
  events: RunEventStream;
  clock: () => number;
  runId: string;
  /** How long verify may take for one job before its answer counts as `unknown`. */
  verifyTimeoutMs: number;
}

/** How many verify calls run at once: a command verify is a process each, so a burst should not start them all. */
const VERIFY_CONCURRENCY = 4;

/**
 * Returns the jobs the cap holds back as the day starts, for the run to tell once it has said it
 * started (the log reads in order).
 */
export async function recoverAtStart(ctx: RecoveryContext): Promise<CapSkip[]> {
  const { store, events, clock } = ctx;
  const orphans = await store.act({ kind: 'adopt-orphans', runId: ctx.runId }, clock());
  const capSkips = [...orphans.capSkips];
  const verifying = await verifyJobs(ctx, (await store.rows()).filter((job) => job.status === 'unconfirmed'));
  capSkips.push(...verifying.capSkips);
  const { settled } = verifying;
  for (const notice of store.notices) events.emit('warning', { message: notice, at: clock() });
  const unconfirmed = (await store.tally()).counts.unconfirmed + settled.posted + settled.notPosted;
  if (orphans.changed.length > 0 || unconfirmed > 0 || store.recoveredRecords !== undefined) {
    events.emit('recovered', { unconfirmed, ...settled, journalRecords: store.recoveredRecords ?? 0, at: clock() });
  }
  return capSkips;
}

/**
 * Mid-run, on a shared ledger: the claims of runs whose lease ran out, which the store has just
 * made unconfirmed, are told and settled by verify like those found at start-up.
 */
export async function recoverAdopted(ctx: RecoveryContext, adopted: Extract<StoreNews, { kind: 'orphans-adopted' }>): Promise<void> {
  const { events, clock } = ctx;
  events.emit('warning', { message: `run${adopted.from.length === 1 ? '' : 's'} ${adopted.from.join(', ')} stopped renewing ${adopted.from.length === 1 ? 'its' : 'their'} lease: ${adopted.changed.length} claim${adopted.changed.length === 1 ? '' : 's'} made unconfirmed (they may have posted)`, at: clock() });
  tellAccountNews(events, adopted.news, adopted.changed, clock());
  tellCapSkips(events, adopted.capSkips, clock());
  const { settled, capSkips } = await verifyJobs(ctx, adopted.changed);
  tellCapSkips(events, capSkips, clock());
  events.emit('recovered', { unconfirmed: adopted.changed.length, ...settled, journalRecords: 0, at: clock() });
}

/** Asks the handler's verify about each job (if it has one) and records the verdicts in one step. */
async function verifyJobs(ctx: RecoveryContext, jobs: readonly Job[]): Promise<{ settled: { posted: number; notPosted: number; unknown: number }; capSkips: CapSkip[] }> {
  const { store, events, clock } = ctx;
  const settled = { posted: 0, notPosted: 0, unknown: 0 };
  const verify = ctx.handler.verify;
  if (!verify) return { settled, capSkips: [] };
  const verdicts = await mapLimited(jobs, VERIFY_CONCURRENCY, async (job) => ({ jobId: job.job_id, ...(await verifyWithTimeout(verify, job, ctx.verifyTimeoutMs)) }));
  for (const { verdict } of verdicts) settled[verdict === 'posted' ? 'posted' : verdict === 'not-posted' ? 'notPosted' : 'unknown'] += 1;
  const acted = await store.act({ kind: 'verified', verdicts }, clock());
  tellAccountNews(events, acted.news, acted.changed, clock());
  return { settled, capSkips: acted.capSkips };
}

/** A verify that throws, answers nonsense or runs past `timeoutMs` (it is then aborted) says `unknown`. */
async function verifyWithTimeout(verify: VerifyHandler, job: Job, timeoutMs: number): Promise<{ verdict: VerifyVerdict; postId?: string }> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      verify(job, { signal: controller.signal }),
      new Promise<'unknown'>((resolve) => {
        timer = setTimeout(() => {
          controller.abort();
          resolve('unknown');
        }, timeoutMs);
      }),
    ]);
    return readVerdict(result);
  } catch {
    return { verdict: 'unknown' };
  } finally {
    clearTimeout(timer);
  }
}

function readVerdict(result: unknown): { verdict: VerifyVerdict; postId?: string } {
  const { verdict, postId } = typeof result === 'object' && result !== null ? (result as { verdict?: unknown; postId?: unknown }) : { verdict: result, postId: undefined };
  if (verdict === 'not-posted') return { verdict };
  if (verdict !== 'posted') return { verdict: 'unknown' };
  // A number is an id too, as a post's own result may be.
  const id = typeof postId === 'string' || typeof postId === 'number' ? String(postId) : '';
  return id === '' ? { verdict } : { verdict, postId: id };
}

/** `fn` over `items`, at most `limit` at a time, results in the order of `items`. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

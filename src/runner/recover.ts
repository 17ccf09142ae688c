/**
 * A run's start-up recovery (G5): claims left by a run that died become `unconfirmed` (they may
 * have posted), the handler's `verify` settles what it can, and what the store found while opening
 * (a torn journal tail) is reported. Everything it changes is durable before the first claim.
 */
import type { Job } from '../core/job.js';
import type { LoadedHandler, VerifyHandler, VerifyVerdict } from '../handlers/types.js';
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
  const settled = { posted: 0, notPosted: 0, unknown: 0 };
  const verify = ctx.handler.verify;
  if (verify) {
    const unconfirmed = (await store.rows()).filter((job) => job.status === 'unconfirmed');
    const verdicts = await mapLimited(unconfirmed, VERIFY_CONCURRENCY, async (job) => ({ jobId: job.job_id, ...(await verifyWithTimeout(verify, job, ctx.verifyTimeoutMs)) }));
    for (const { verdict } of verdicts) settled[verdict === 'posted' ? 'posted' : verdict === 'not-posted' ? 'notPosted' : 'unknown'] += 1;
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

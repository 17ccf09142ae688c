/**
 * Requests from other terminals to a live run, over its control socket (`daycap status`, `pause`,
 * `resume`, `stop`, `retry-failed`, `release-stale`, `unfreeze`). Changes to rows go through the
 * store like any other step, then idle workers are offered the work they freed.
 */
import type { Job } from '../core/job.js';
import type { Action, Store } from '../store/store.js';
import type { ControlRequest, ControlResponse, LiveStatus } from './control-protocol.js';
import type { RunEventStream } from './events.js';
import { tellAccountNews, tellCapSkips } from './news.js';

export type ControlAnswer = Omit<Extract<ControlResponse, { ok: true }>, 'ok' | 'pid' | 'runId'>;

export interface OperatorContext {
  store: Store;
  events: RunEventStream;
  clock: () => number;
  graceMs: number;
  pause(): void;
  resume(): void;
  stop(reason: string): void;
  liveStatus(): Promise<LiveStatus>;
  /** Rows changed by an operator: offer them to idle workers. */
  changed(rows: readonly Job[]): void;
}

/** Applies an operator's action to the live day, durably, and tells subscribers what it lifted. */
export async function operatorAction(ctx: OperatorContext, action: Action): Promise<Job[]> {
  const { changed, news, capSkips } = await ctx.store.act(action, ctx.clock());
  tellAccountNews(ctx.events, news, changed, ctx.clock());
  tellCapSkips(ctx.events, capSkips, ctx.clock());
  if (changed.length > 0) ctx.changed(changed);
  return changed;
}

export async function answerControl(ctx: OperatorContext, request: ControlRequest): Promise<ControlAnswer> {
  const ids = (rows: readonly Job[]) => rows.map((row) => row.job_id);
  switch (request.op) {
    case 'status':
      return { message: 'live', status: await ctx.liveStatus() };
    case 'pause':
      ctx.pause();
      return { message: 'claiming paused; jobs in flight go on (resume with `daycap resume`)' };
    case 'resume':
      ctx.resume();
      return { message: 'claiming resumed' };
    case 'stop':
      ctx.stop('daycap stop');
      return { message: `stopping: no new claims; jobs in flight have ${Math.round(ctx.graceMs / 1000)}s to finish` };
    case 'retry-failed': {
      const rows = await operatorAction(ctx, { kind: 'retry-failed', includeNonRetryable: request.includeNonRetryable, category: request.category, type: request.type });
      return { message: `${rows.length} failed job${rows.length === 1 ? '' : 's'} back to pending in the live run`, changed: ids(rows) };
    }
    case 'unfreeze': {
      const rows = await operatorAction(ctx, { kind: 'unfreeze', account: request.account, retry: request.retry });
      return { message: `${rows.length} row${rows.length === 1 ? '' : 's'} changed in the live run`, changed: ids(rows) };
    }
    case 'release-stale': {
      // Beside a live run only unconfirmed jobs: this run's own claims are never stale (their workers are
      // alive), and claims of dead runs were made unconfirmed at start-up.
      const rows = await operatorAction(ctx, { kind: 'release-stale', olderThanMs: Number.POSITIVE_INFINITY });
      return { message: `${rows.length} unconfirmed job${rows.length === 1 ? '' : 's'} back to pending in the live run (claims of this run are never stale)`, changed: ids(rows) };
    }
    default:
      throw new Error(`unknown request ${JSON.stringify((request as { op?: unknown }).op)}`);
  }
}

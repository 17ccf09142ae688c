/** The handler contract (docs/handlers.md): what a poster module exports. */
import type { Job } from '../core/job.js';

export type { Job, Status } from '../core/job.js';
export type { HandlerSpec, SimulateOptions, Outcome, ReportedError } from '../protocol.js';

export interface PostContext {
  /** The worker thread's number, for logs and for handlers that pin devices per worker. */
  workerId: number;
  /** Counts from 1; a retry of the same job gets the next number. */
  attempt: number;
  /** Aborted on --job-timeout or at shutdown; a handler should stop its work and reject. */
  signal: AbortSignal;
}

/** Resolving means posted (a string or `{ postId }` is kept as the post id); throwing means failed. */
export type PostHandler = (job: Job, ctx: PostContext) => Promise<unknown>;

export type VerifyVerdict = 'posted' | 'not-posted' | 'unknown';

/** A verdict, or an object with one and, for `posted`, the post id found (kept in the video_id column). */
export type VerifyResult = VerifyVerdict | { verdict: VerifyVerdict; postId?: string };

export interface VerifyContext {
  /** Aborted when the verify takes too long (`verifyTimeout`): its answer then counts as `unknown`. */
  signal: AbortSignal;
}

/** Asked after a crash whether a job left in flight was in fact posted (G5). */
export type VerifyHandler = (job: Job, ctx: VerifyContext) => Promise<VerifyResult>;

/** A verify of its own for any poster (`--verify`, `verify` in the configuration): a program. */
export interface VerifySpec {
  kind: 'command';
  argv: string[];
}

export interface LoadedHandler {
  post: PostHandler;
  verify?: VerifyHandler;
  /** One line for logs and the TUI, e.g. `module /path/post.mjs`. */
  describe: string;
}

/**
 * The one message protocol between the main thread (src/runner) and the worker threads (workers/).
 * Every message carries a `type` discriminant. Workers import this file and the handlers, nothing else of src/.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Job } from './core/job.js';

/** How a worker finds its poster. Resolved the same way in the main thread (for checks and verify) and in workers. */
export type HandlerSpec =
  | { kind: 'module'; path: string }
  | { kind: 'simulate'; seed: number; options?: SimulateOptions }
  | { kind: 'command'; argv: string[] };

export interface SimulateOptions {
  /** Mean latency of one post in milliseconds (uniformly 0..2×mean). 0 = instant. */
  meanLatencyMs?: number;
  /** Latency drawn uniformly from minLatencyMs to maxLatencyMs (instead of meanLatencyMs). */
  minLatencyMs?: number;
  maxLatencyMs?: number;
  /** Probability that an attempt fails, split by the realistic mix of SIMULATED_MIX (instead of the rates below). */
  failRate?: number;
  /** Probabilities of each failure kind per attempt; the rest succeed. */
  accountErrorRate?: number;
  contentErrorRate?: number;
  infrastructureErrorRate?: number;
  unknownErrorRate?: number;
  /** Rate-limit failures, which carry a retry-after (as an HTTP 429 does). */
  rateLimitErrorRate?: number;
  /** The retry-after of a rate-limit failure, uniformly between these (default 10 s to 1 min). */
  minRetryAfterMs?: number;
  maxRetryAfterMs?: number;
  /**
   * Probability that an attempt ends its worker thread mid-job (the job becomes `unconfirmed`).
   * When set, even to 0, the simulator also answers verify for the jobs it left unconfirmed.
   */
  crashRate?: number;
}

/** What a handler said about one job, in a form that crosses threads (no Error objects). */
export type Outcome =
  | { ok: true; postId: string }
  | { ok: false; error: ReportedError };

export interface ReportedError {
  message: string;
  /** Set when the handler classified its own error (docs/handlers.md#results-and-errors). */
  category?: string;
  type?: string;
  retryable?: boolean;
  /** Milliseconds the platform asked us to wait (rate limits); optional. */
  retryAfterMs?: number;
  /** The job ran past --job-timeout and was aborted. */
  timedOut?: boolean;
}

/** Sent once per worker loop, as the Piscina task's argument (with `port` in the transfer list). */
export interface WorkerStart {
  workerId: number;
  handler: HandlerSpec;
  jobTimeoutMs: number;
  port: MessagePort;
}

export type WorkerToMain =
  /** Ask for the first job. */
  | { type: 'ready'; workerId: number }
  /** The result of the job last given; also asks for the next one. */
  | { type: 'outcome'; workerId: number; jobId: string; outcome: Outcome; startedAt: number; endedAt: number }
  /** At a stop: claims that were queued behind the running job and never started. */
  | { type: 'unstarted'; workerId: number; jobIds: string[] }
  /** The handler could not be loaded in this thread; the worker stops. */
  | { type: 'handler-unusable'; workerId: number; message: string };

export type MainToWorker =
  /** Post this job, after any already given (the runner may queue a few per worker). `attempt` counts from 1. */
  | { type: 'job'; job: Job; attempt: number }
  /** Abort the job in flight (grace period over); the worker reports it as a timed-out failure. */
  | { type: 'abort'; jobId: string }
  /** No more work: hand back queued jobs as `unstarted`, finish the running one, end the loop. */
  | { type: 'stop' };

/**
 * The built-in `simulate` handler, for rehearsals and tests. Every random choice comes from a PRNG
 * seeded by (seed, job id, attempt) alone, so a run is reproducible whichever worker thread picks
 * a job up and in whatever order jobs are scheduled.
 *
 * The same draw is the simulated platform: what an attempt did there (posted, failed, or posted or
 * not before its thread died) is a function of the claim alone, so `verify` can look it up after a
 * crash without any shared state (docs/handlers.md#the-simulate-handler). Success and failure depend
 * on (seed, job id, attempt); a crash also on the claim's run id and time, which the unconfirmed row
 * keeps: a job that verify sends back to pending is claimed again for the same attempt, and must
 * not crash the same way for ever.
 */
import { isMainThread } from 'node:worker_threads';
import type { Job } from '../core/job.js';
import type { SimulateOptions } from '../protocol.js';
import { HandlerUnusableError } from './errors.js';
import type { PostHandler, VerifyHandler } from './types.js';
import { mulberry32 } from '../core/seeded-random.js';

/**
 * Failure messages per category, worded so that the error table (docs/configuration.md#error-classification)
 * puts each in the category it is listed under (it matches substrings, categories in this order).
 * `rateLimit` matches nothing there: its retry-after makes it `rate_limit/rate_limited`.
 */
export const SIMULATED_FAILURES = {
  account: ['Your account has been suspended', 'Action blocked. Try again later'],
  content: ['video corrupted: moov atom not found'],
  infrastructure: ['adb timeout: device offline', 'socket hang up', 'session not created: appium'],
  unknown: ['unexpected response from upload endpoint'],
  rateLimit: ['too many requests (HTTP 429)'],
} as const satisfies Record<string, readonly string[]>;

export type SimulatedCategory = keyof typeof SIMULATED_FAILURES;

/** How `failRate` is split: mostly flaky devices, some account and content trouble, a few rate limits. */
export const SIMULATED_MIX: Readonly<Record<SimulatedCategory, number>> = { account: 0.2, content: 0.1, infrastructure: 0.45, unknown: 0.15, rateLimit: 0.1 };

export const SIMULATE_ABORT_MESSAGE = 'timeout waiting for post (aborted)';

const RATE_KEYS = {
  account: 'accountErrorRate',
  content: 'contentErrorRate',
  infrastructure: 'infrastructureErrorRate',
  unknown: 'unknownErrorRate',
  rateLimit: 'rateLimitErrorRate',
} as const satisfies Record<SimulatedCategory, keyof SimulateOptions>;

const DEFAULT_RETRY_AFTER_MS: readonly [number, number] = [10_000, 60_000];

/** The options checked and resolved into what one attempt draws from. */
export interface SimulatePlan {
  latencyMs: readonly [number, number];
  rates: ReadonlyArray<readonly [SimulatedCategory, number]>;
  retryAfterMs: readonly [number, number];
  /** undefined: the simulator never crashes and has no verify. */
  crashRate: number | undefined;
}

/** What one attempt does, decided before it starts. */
export type SimulatedAttempt =
  | { kind: 'success'; latencyMs: number; postId: string }
  | { kind: 'failure'; latencyMs: number; message: string; retryAfterMs?: number }
  /** The thread dies after `latencyMs`; the post went out first when `posted`. */
  | { kind: 'crash'; latencyMs: number; posted: boolean; postId: string };

export function createSimulateHandler(seed: number, options: SimulateOptions = {}): PostHandler {
  const plan = planOf(seed, options);
  return async (job, ctx) => {
    const attempt = simulatedAttempt(seed, plan, job, ctx.attempt);
    if (attempt.latencyMs > 0) await sleep(attempt.latencyMs, ctx.signal);
    else if (ctx.signal.aborted) throw new Error(SIMULATE_ABORT_MESSAGE);
    if (attempt.kind === 'crash') endThisThread();
    if (attempt.kind === 'failure') {
      const error = new Error(attempt.message);
      throw attempt.retryAfterMs === undefined ? error : Object.assign(error, { retryAfterMs: attempt.retryAfterMs });
    }
    return { postId: attempt.postId };
  };
}

/**
 * The simulator's verify, when it simulates crashes: it answers what the attempt in flight did on
 * the simulated platform. A job left unconfirmed is still on the attempt it was claimed for.
 */
export function createSimulateVerify(seed: number, options: SimulateOptions = {}): VerifyHandler | undefined {
  const plan = planOf(seed, options);
  if (plan.crashRate === undefined) return undefined;
  return async (job: Job) => {
    const attempt = simulatedAttempt(seed, plan, job, job.attempts + 1);
    if (attempt.kind === 'failure' || (attempt.kind === 'crash' && !attempt.posted)) return 'not-posted';
    return { verdict: 'posted', postId: attempt.postId };
  };
}

/** One line for the log: the seed and whatever else is set. */
export function describeSimulate(seed: number, options: SimulateOptions = {}): string {
  const plan = planOf(seed, options);
  const parts = [`seed ${seed}`];
  const [min, max] = plan.latencyMs;
  if (max > 0) parts.push(`latency ${min === max ? `${min}ms` : `${min}-${max}ms`}`);
  const failRate = plan.rates.reduce((sum, [, rate]) => sum + rate, 0);
  if (failRate > 0) parts.push(`fail ${round(failRate)}`);
  if (plan.crashRate !== undefined) parts.push(`crash ${round(plan.crashRate)}`);
  return `simulate (${parts.join(', ')})`;
}

/** The claim as the simulator sees it: the row a worker is given, or the unconfirmed row verify is given. */
export type SimulatedClaim = Pick<Job, 'job_id' | 'run_id' | 'claimed_at'>;

/** The attempt's fate. The first three draws are as they always were, so existing seeds keep their outcomes. */
export function simulatedAttempt(seed: number, plan: SimulatePlan, claim: SimulatedClaim, attempt: number): SimulatedAttempt {
  const key = `${seed}\u0000${attempt}\u0000${claim.job_id}`;
  const random = mulberry32(fnv1a(key));
  const failRoll = random();
  const pickRoll = random();
  const latencyMs = drawBetween(plan.latencyMs, random());
  const retryAfterRoll = random();
  const postId = `sim-${fnv1a(`post\u0000${key}`).toString(16).padStart(8, '0')}`;
  const crash = mulberry32(fnv1a(`crash\u0000${key}\u0000${claim.run_id}\u0000${claim.claimed_at}`));
  const [crashRoll, crashPoint, postedRoll] = [crash(), crash(), crash()];
  if (plan.crashRate !== undefined && crashRoll < plan.crashRate) {
    // Half the crashes come after the post went out (the thread dies before it can report), half midway.
    const posted = postedRoll < 0.5;
    return { kind: 'crash', latencyMs: posted ? latencyMs : latencyMs * crashPoint, posted, postId };
  }
  let threshold = 0;
  for (const [category, rate] of plan.rates) {
    threshold += rate;
    if (failRoll >= threshold) continue;
    const messages = SIMULATED_FAILURES[category];
    const message = messages[Math.floor(pickRoll * messages.length)] ?? messages[0];
    if (category !== 'rateLimit') return { kind: 'failure', latencyMs, message };
    return { kind: 'failure', latencyMs, message, retryAfterMs: drawBetween(plan.retryAfterMs, retryAfterRoll) };
  }
  return { kind: 'success', latencyMs, postId };
}

/**
 * A simulated crash ends this worker thread: process.exit in a worker thread stops that thread
 * only, as a native crash in a handler would, and the runner makes its job `unconfirmed`. In the
 * main thread (a library caller) it would end the whole process, so it throws instead.
 */
function endThisThread(): never {
  if (isMainThread) throw new Error('simulated crash (outside a worker thread, so no thread was ended)');
  process.exit(70);
}

export function planOf(seed: number, options: SimulateOptions): SimulatePlan {
  if (!Number.isFinite(seed)) throw new HandlerUnusableError(`simulate: seed must be a finite number, got ${seed}`);
  const retryAfterMs = rangeOf(options, 'minRetryAfterMs', 'maxRetryAfterMs') ?? DEFAULT_RETRY_AFTER_MS;
  const crashRate = options.crashRate === undefined ? undefined : rate('crashRate', options.crashRate);
  return { latencyMs: latencyOf(options), rates: ratesOf(options), retryAfterMs, crashRate };
}

function latencyOf(options: SimulateOptions): readonly [number, number] {
  const range = rangeOf(options, 'minLatencyMs', 'maxLatencyMs');
  if (range && options.meanLatencyMs !== undefined) throw new HandlerUnusableError('simulate: give meanLatencyMs or minLatencyMs/maxLatencyMs, not both');
  if (range) return range;
  const mean = options.meanLatencyMs ?? 0;
  if (!Number.isFinite(mean) || mean < 0) throw new HandlerUnusableError(`simulate: meanLatencyMs must be a number >= 0, got ${mean}`);
  return [0, mean * 2];
}

function rangeOf(options: SimulateOptions, minKey: keyof SimulateOptions, maxKey: keyof SimulateOptions): [number, number] | undefined {
  const min = options[minKey];
  const max = options[maxKey];
  if (min === undefined && max === undefined) return undefined;
  const low = min ?? max ?? 0;
  const high = max ?? low;
  for (const [key, value] of [[minKey, low], [maxKey, high]] as const) {
    if (!Number.isFinite(value) || value < 0) throw new HandlerUnusableError(`simulate: ${key} must be a number >= 0, got ${value}`);
  }
  if (high < low) throw new HandlerUnusableError(`simulate: ${maxKey} (${high}) is less than ${minKey} (${low})`);
  return [low, high];
}

function ratesOf(options: SimulateOptions): Array<[SimulatedCategory, number]> {
  const categories = Object.keys(RATE_KEYS) as SimulatedCategory[];
  if (options.failRate !== undefined) {
    const own = categories.map((category) => RATE_KEYS[category]).filter((key) => options[key] !== undefined);
    if (own.length > 0) throw new HandlerUnusableError(`simulate: give failRate or the rates of each kind (${own.join(', ')}), not both`);
    const total = rate('failRate', options.failRate);
    return categories.map((category) => [category, total * SIMULATED_MIX[category]]);
  }
  const rates = categories.map((category): [SimulatedCategory, number] => [category, rate(RATE_KEYS[category], options[RATE_KEYS[category]] ?? 0)]);
  const total = rates.reduce((sum, [, value]) => sum + value, 0);
  if (total > 1 + 1e-9) throw new HandlerUnusableError(`simulate: the error rates add up to ${total}, more than 1`);
  return rates;
}

function rate(key: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new HandlerUnusableError(`simulate: ${key} must be between 0 and 1, got ${value}`);
  return value;
}

function drawBetween([low, high]: readonly [number, number], roll: number): number {
  return low + (high - low) * roll;
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error(SIMULATE_ABORT_MESSAGE));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error(SIMULATE_ABORT_MESSAGE));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** 32-bit FNV-1a over UTF-16 code units: cheap, stable, and the same in every thread. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The built-in `simulate` handler, for rehearsals and tests. Every random choice comes from a PRNG
 * seeded by (seed, job id, attempt) alone, so a run is reproducible whichever worker thread picks
 * a job up and in whatever order jobs are scheduled.
 */
import type { SimulateOptions } from '../protocol.js';
import { HandlerUnusableError } from './errors.js';
import type { PostHandler } from './types.js';

/**
 * Failure messages per category, worded so that the error table (docs/configuration.md#error-classification)
 * puts each in the category it is listed under (it matches substrings, categories in this order).
 */
export const SIMULATED_FAILURES = {
  account: ['Your account has been suspended', 'Action blocked. Try again later'],
  content: ['video corrupted: moov atom not found'],
  infrastructure: ['adb timeout: device offline', 'socket hang up', 'session not created: appium'],
  unknown: ['unexpected response from upload endpoint'],
} as const satisfies Record<string, readonly string[]>;

export type SimulatedCategory = keyof typeof SIMULATED_FAILURES;

export const SIMULATE_ABORT_MESSAGE = 'timeout waiting for post (aborted)';

const RATE_KEYS = {
  account: 'accountErrorRate',
  content: 'contentErrorRate',
  infrastructure: 'infrastructureErrorRate',
  unknown: 'unknownErrorRate',
} as const satisfies Record<SimulatedCategory, keyof SimulateOptions>;

export function createSimulateHandler(seed: number, options: SimulateOptions = {}): PostHandler {
  const { meanLatencyMs, rates } = checkOptions(seed, options);
  return async (job, ctx) => {
    const key = `${seed}\u0000${ctx.attempt}\u0000${job.job_id}`;
    const random = mulberry32(fnv1a(key));
    const failRoll = random();
    const pickRoll = random();
    const latencyMs = meanLatencyMs * 2 * random();
    if (latencyMs > 0) await sleep(latencyMs, ctx.signal);
    else if (ctx.signal.aborted) throw new Error(SIMULATE_ABORT_MESSAGE);
    let threshold = 0;
    for (const [category, rate] of rates) {
      threshold += rate;
      if (failRoll < threshold) {
        const messages = SIMULATED_FAILURES[category];
        throw new Error(messages[Math.floor(pickRoll * messages.length)] ?? messages[0]);
      }
    }
    return { postId: `sim-${fnv1a(`post\u0000${key}`).toString(16).padStart(8, '0')}` };
  };
}

function checkOptions(seed: number, options: SimulateOptions) {
  if (!Number.isFinite(seed)) throw new HandlerUnusableError(`simulate: seed must be a finite number, got ${seed}`);
  const meanLatencyMs = options.meanLatencyMs ?? 0;
  if (!Number.isFinite(meanLatencyMs) || meanLatencyMs < 0) {
    throw new HandlerUnusableError(`simulate: meanLatencyMs must be a number >= 0, got ${meanLatencyMs}`);
  }
  const rates: [SimulatedCategory, number][] = [];
  let total = 0;
  for (const [category, optionKey] of Object.entries(RATE_KEYS) as [SimulatedCategory, keyof SimulateOptions][]) {
    const rate = options[optionKey] ?? 0;
    if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new HandlerUnusableError(`simulate: ${optionKey} must be between 0 and 1, got ${rate}`);
    }
    total += rate;
    rates.push([category, rate]);
  }
  if (total > 1 + 1e-9) throw new HandlerUnusableError(`simulate: the error rates add up to ${total}, more than 1`);
  return { meanLatencyMs, rates };
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

function mulberry32(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

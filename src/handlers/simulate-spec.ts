/**
 * Reads `--handler simulate…` as an operator types it: `simulate`, `simulate:<seed>`, or
 * `simulate:key=value,…` with the keys below (docs/handlers.md#the-simulate-handler). A mistake names
 * the part that is wrong and what was expected.
 */
import { DurationError, durationMs } from '../core/duration.js';
import type { HandlerSpec, SimulateOptions } from '../protocol.js';
import { HandlerUnusableError } from './errors.js';
import { planOf } from './simulate.js';

export const SIMULATE_SYNTAX = 'simulate:latency=200ms-2s,fail=0.1,crash=0.01,seed=7';

const KEYS: Record<string, (value: string, options: SimulateOptions) => void> = {
  latency: (value, options) => {
    const [min, max] = durationRange(value);
    options.minLatencyMs = min;
    options.maxLatencyMs = max;
  },
  fail: (value, options) => (options.failRate = probability(value)),
  crash: (value, options) => (options.crashRate = probability(value)),
  'retry-after': (value, options) => {
    const [min, max] = durationRange(value);
    options.minRetryAfterMs = min;
    options.maxRetryAfterMs = max;
  },
};

const KEY_LIST = ['seed', ...Object.keys(KEYS)].join(', ');

/** `text` starts with `simulate`; returns the handler it names, or throws HandlerUnusableError. */
export function parseSimulateSpec(text: string): Extract<HandlerSpec, { kind: 'simulate' }> {
  if (text === 'simulate') return { kind: 'simulate', seed: 0 };
  if (!text.startsWith('simulate:')) throw new SimulateSpecError(text, `write simulate, simulate:<seed> or e.g. ${SIMULATE_SYNTAX}`);
  const body = text.slice('simulate:'.length).trim();
  if (!body.includes('=')) return { kind: 'simulate', seed: seedOf(text, body) };
  let seed = 0;
  const options: SimulateOptions = {};
  const seen = new Set<string>();
  for (const part of body.split(',').map((item) => item.trim())) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq).trim();
    if (eq < 0) throw new SimulateSpecError(text, `"${part}" has no value: write key=value (keys: ${KEY_LIST})`);
    if (seen.has(key)) throw new SimulateSpecError(text, `${key} is given twice`);
    seen.add(key);
    const value = part.slice(eq + 1).trim();
    try {
      if (key === 'seed') seed = seedOf(text, value);
      else if (KEYS[key]) KEYS[key](value, options);
      else throw new RangeError(`unknown key (keys: ${KEY_LIST})`);
    } catch (error) {
      if (error instanceof SimulateSpecError) throw error;
      throw new SimulateSpecError(text, `"${part}": ${(error as Error).message}`);
    }
  }
  // What the handler itself would refuse (nothing here yet), refused now, with the text as typed.
  try {
    planOf(seed, options);
  } catch (error) {
    throw new SimulateSpecError(text, (error as Error).message.replace(/^simulate: /, ''));
  }
  return { kind: 'simulate', seed, options };
}

class SimulateSpecError extends HandlerUnusableError {
  constructor(text: string, problem: string) {
    super(`--handler ${text}: ${problem}`);
  }
}

function seedOf(text: string, value: string): number {
  const seed = Number(value);
  if (value === '' || !/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(seed)) {
    throw new SimulateSpecError(text, `the seed must be an integer, e.g. simulate:42, or write key=value parts such as ${SIMULATE_SYNTAX} (got "${value}")`);
  }
  return seed;
}

/** `0.1`, `10%`: a probability from 0 to 1. */
function probability(value: string): number {
  const percent = value.endsWith('%');
  const number = Number(percent ? value.slice(0, -1) : value);
  const rate = percent ? number / 100 : number;
  if (value === '' || value === '%' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new RangeError('expected a rate from 0 to 1, such as 0.1 or 10%');
  }
  return rate;
}

/** `2s` (always that long) or `200ms-2s` (uniformly between). */
function durationRange(value: string): [number, number] {
  const dash = value.indexOf('-');
  const [low, high] = dash < 0 ? [value, value] : [value.slice(0, dash), value.slice(dash + 1)];
  const min = duration(low);
  const max = duration(high);
  if (max < min) throw new RangeError(`the range ends (${high}) before it starts (${low})`);
  return [min, max];
}

function duration(text: string): number {
  try {
    return durationMs(text);
  } catch (error) {
    if (error instanceof DurationError) throw new RangeError(`${JSON.stringify(text)} is not a duration (${error.note ?? 'write e.g. 2s, or a range such as 200ms-2s'})`);
    throw error;
  }
}

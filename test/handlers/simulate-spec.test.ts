// `--handler simulate…` as an operator types it: every key, and a clear refusal naming the bad part.
import { describe, expect, it } from 'vitest';
import { HANDLER_UNUSABLE } from '../../src/handlers/errors.js';
import { parseHandlerOption } from '../../src/handlers/load.js';

const parse = (text: string) => parseHandlerOption(text, '/x');

describe('--handler simulate:<spec>', () => {
  it('keeps simulate and simulate:<seed>', () => {
    expect(parse('simulate')).toEqual({ kind: 'simulate', seed: 0 });
    expect(parse('simulate:42')).toEqual({ kind: 'simulate', seed: 42 });
    expect(parse('simulate:-3')).toEqual({ kind: 'simulate', seed: -3 });
  });

  it('reads a latency range, a failure rate, a crash rate and the seed, in any order', () => {
    expect(parse('simulate:latency=200ms-2s,fail=0.1,seed=7')).toEqual({ kind: 'simulate', seed: 7, options: { minLatencyMs: 200, maxLatencyMs: 2000, failRate: 0.1 } });
    expect(parse('simulate: crash=0.01 , seed=9,latency=1s')).toEqual({ kind: 'simulate', seed: 9, options: { crashRate: 0.01, minLatencyMs: 1000, maxLatencyMs: 1000 } });
    expect(parse('simulate:fail=10%,retry-after=30s-2m')).toEqual({ kind: 'simulate', seed: 0, options: { failRate: 0.1, minRetryAfterMs: 30_000, maxRetryAfterMs: 120_000 } });
    expect(parse('simulate:crash=0')).toEqual({ kind: 'simulate', seed: 0, options: { crashRate: 0 } });
  });

  it.each([
    ['simulate:abc', /seed must be an integer.*got "abc"/],
    ['simulate:', /seed must be an integer/],
    ['simulate:seed=x,fail=0.1', /seed must be an integer.*got "x"/],
    ['simulate:fail=2', /"fail=2": expected a rate from 0 to 1/],
    ['simulate:crash=-0.1', /"crash=-0.1": expected a rate from 0 to 1/],
    ['simulate:fail=0.1,crash', /"crash" has no value: write key=value/],
    ['simulate:speed=2', /"speed=2": unknown key \(keys: seed, latency, fail, crash, retry-after\)/],
    ['simulate:fail=0.1,fail=0.2', /fail is given twice/],
    ['simulate:latency=5', /"latency=5": "5" is not a duration \(add a unit: 5s, 5m, …\)/],
    ['simulate:latency=2s-200ms', /"latency=2s-200ms": the range ends \(200ms\) before it starts \(2s\)/],
    ['simulate:latency=fast', /"latency=fast": "fast" is not a duration/],
    ['simulatex', /is not a handler/],
  ])('refuses %s, naming the bad part', (text, message) => {
    let thrown: unknown;
    try {
      parse(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: HANDLER_UNUSABLE });
    expect((thrown as Error).message).toMatch(message);
    if (text !== 'simulatex') expect((thrown as Error).message.startsWith(`--handler ${text}:`)).toBe(true);
  });
});

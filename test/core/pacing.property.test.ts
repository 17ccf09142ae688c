/**
 * The health and pacing rules under random operation sequences, restarts included: every claim is
 * checked against the rules recomputed from the rows themselves (not from the tracker's indexes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cooldownEndOf, isFreezingRow } from '../../src/core/health.js';
import { CAPPED_STATUSES, parseTime, type Job } from '../../src/core/job.js';
import { DEFAULT_HEALTH, DEFAULT_PACING, ROLLING_WINDOW_MS, type PacingPolicy, type PastPost } from '../../src/core/policy.js';
import type { DayOptions } from '../../src/core/day-state.js';
import { isOpen } from '../../src/core/window.js';
import { checkIndexes } from '../helpers/day.js';
import { dayOp, DayRun, type OpSpace } from '../helpers/day-ops.js';
import { rng } from '../helpers/random.js';

const T0 = Date.parse('2026-03-28T20:00:00Z'); // the night before Europe's spring-forward

/** What moves health and pacing: failures (some with a platform's retry-after), unfreezes, restarts and long waits. */
const SPACE: OpSpace = {
  accounts: ['a', 'b', 'c', ''],
  messages: ['adb timeout', 'Your account has been suspended', 'action blocked', 'video corrupted', 'weird', 'socket hang up'],
  workers: 4,
  weights: { seed: 1, claim: 2, succeed: 1, fail: 1, unconfirm: 1, retryFailed: 1, unfreeze: 1, restart: 1, tick: 1 },
  retryAfter: true,
  longTicks: true,
};

const pacingArb: fc.Arbitrary<PacingPolicy> = fc.record({
  capMode: fc.constantFrom('day' as const, 'rolling-24h' as const),
  minGapMs: fc.constantFrom(0, 30_000, 10 * 60_000),
  jitterMs: fc.constantFrom(0, 60_000),
  perMinute: fc.constantFrom(undefined, 1, 3),
  windows: fc.constantFrom(
    undefined,
    { timeZone: 'Europe/Berlin', ranges: [{ start: '08:00', end: '23:00' }], atEnd: 'wait' as const },
    { timeZone: 'Europe/Berlin', ranges: [{ start: '22:00', end: '02:30' }], atEnd: 'wait' as const },
  ),
  maxWaitMs: fc.constant(DEFAULT_PACING.maxWaitMs),
});

/** Every rule a new claim of `account` at `now` must have respected, recomputed from the rows before it. */
function checkClaim(rows: readonly Job[], claimed: Job, now: number, cap: number, pacing: PacingPolicy, pastPosts: readonly PastPost[], claimTimes: readonly number[]): void {
  const account = claimed.account;
  const mine = rows.filter((row) => row.account === account && row.job_id !== claimed.job_id);
  expect(mine.filter((row) => row.status === 'claimed'), 'G2').toHaveLength(0);
  if (pacing.capMode === 'day') {
    expect(mine.filter((row) => CAPPED_STATUSES.has(row.status)).length + 1, 'G1 (day)').toBeLessThanOrEqual(cap);
  } else {
    const recent = (at: number | undefined) => at !== undefined && at > now - ROLLING_WINDOW_MS;
    const posts = mine.filter((row) => row.status === 'success' && recent(parseTime(row.completed_at))).length + pastPosts.filter((p) => p.account === account && recent(p.at)).length;
    const inFlight = mine.filter((row) => row.status === 'unconfirmed').length;
    expect(posts + inFlight + 1, 'G1 (rolling 24 h)').toBeLessThanOrEqual(cap);
  }
  expect(mine.some((row) => isFreezingRow(row, DEFAULT_HEALTH)), 'frozen account claimed').toBe(false);
  for (const row of [...mine, claimed]) expect(cooldownEndOf(row) ?? -Infinity, 'cooldown').toBeLessThanOrEqual(now);
  const lastEnd = Math.max(-Infinity, ...mine.map((row) => parseTime(row.completed_at) ?? -Infinity), parseTime(claimed.completed_at) ?? -Infinity);
  expect(now - lastEnd, 'gap between posts').toBeGreaterThanOrEqual(pacing.minGapMs);
  if (pacing.perMinute !== undefined) expect(claimTimes.filter((t) => t > now - 60_000).length + 1, 'rate limit').toBeLessThanOrEqual(pacing.perMinute);
  if (pacing.windows) expect(isOpen(pacing.windows, now), 'posting window').toBe(true);
}

describe('health and pacing under random operation sequences', () => {
  it('never claim against G1, G2, a freeze, a cooldown, the gap, the rate limit or the window, across restarts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), pacingArb, fc.array(dayOp(SPACE), { maxLength: 70 }), fc.integer(), (cap, pacing, ops, seed) => {
        const pastPosts: PastPost[] = [{ account: 'a', at: T0 - 20 * 3_600_000 }];
        const options: DayOptions = { cap, pacing, pastPosts, random: rng(seed).next };
        const run = new DayRun(SPACE, options, T0);
        const claimTimes: number[] = [];
        for (const step of ops) {
          const before = step.op === 'claim' ? run.day.all() : [];
          const claimed = run.apply(step);
          if (claimed) {
            checkClaim(before, claimed, run.now, cap, pacing, pastPosts, claimTimes);
            claimTimes.push(run.now);
          }
          checkIndexes(run.day);
        }
      }),
      { numRuns: 800 },
    );
  });
});

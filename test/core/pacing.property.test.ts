/**
 * The health and pacing rules under random operation sequences, restarts included: every claim is
 * checked against the rules recomputed from the rows themselves (not from the tracker's indexes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cooldownEndOf, isFreezingRow } from '../../src/core/health.js';
import { CAPPED_STATUSES, newJob, parseTime, type Job } from '../../src/core/job.js';
import { DEFAULT_HEALTH, DEFAULT_PACING, ROLLING_WINDOW_MS, type PacingPolicy, type PastPost } from '../../src/core/policy.js';
import { DayState, type DayOptions } from '../../src/core/day-state.js';
import { isOpen } from '../../src/core/window.js';
import { retryFailed, unfreeze, adoptOrphans } from '../../src/core/operator-actions.js';
import { checkIndexes } from '../helpers/day.js';

const T0 = Date.parse('2026-03-28T20:00:00Z'); // the night before Europe's spring-forward
const ACCOUNTS = ['a', 'b', 'c', ''];
const MESSAGES = ['adb timeout', 'Your account has been suspended', 'action blocked', 'video corrupted', 'weird', 'socket hang up'];

type Op =
  | { op: 'seed'; account: number; count: number }
  | { op: 'claim'; worker: number }
  | { op: 'succeed'; pick: number }
  | { op: 'fail'; pick: number; message: number; retryAfterMs: number | null }
  | { op: 'unconfirm'; pick: number }
  | { op: 'retryFailed' }
  | { op: 'unfreeze'; account: number; retry: boolean }
  | { op: 'restart' }
  | { op: 'tick'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('seed' as const), account: fc.nat(ACCOUNTS.length - 1), count: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant('claim' as const), worker: fc.nat(3) }),
  fc.record({ op: fc.constant('claim' as const), worker: fc.nat(3) }),
  fc.record({ op: fc.constant('succeed' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('fail' as const), pick: fc.nat(), message: fc.nat(MESSAGES.length - 1), retryAfterMs: fc.option(fc.integer({ min: 0, max: 3_600_000 })) }),
  fc.record({ op: fc.constant('unconfirm' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('retryFailed' as const) }),
  fc.record({ op: fc.constant('unfreeze' as const), account: fc.nat(ACCOUNTS.length - 2), retry: fc.boolean() }),
  fc.record({ op: fc.constant('restart' as const) }),
  fc.record({ op: fc.constant('tick' as const), ms: fc.oneof(fc.integer({ min: 0, max: 120_000 }), fc.integer({ min: 0, max: 4 * 3_600_000 })) }),
);

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

function pick(tracker: DayState, status: Job['status'], n: number): Job | undefined {
  const candidates = tracker.all().filter((j) => j.status === status);
  return candidates.length ? candidates[n % candidates.length] : undefined;
}

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
      fc.property(fc.integer({ min: 1, max: 3 }), pacingArb, fc.array(opArb, { maxLength: 70 }), fc.integer(), (cap, pacing, ops, seed) => {
        let state = seed;
        const random = () => ((state = (Math.imul(state, 1_103_515_245) + 12_345) | 0) >>> 0) / 2 ** 32;
        const pastPosts: PastPost[] = [{ account: 'a', at: T0 - 20 * 3_600_000 }];
        const options: DayOptions = { cap, pacing, pastPosts, random };
        let tracker = new DayState([], options);
        let now = T0;
        let nextId = 0;
        const claimTimes: number[] = [];
        for (const step of ops) {
          switch (step.op) {
            case 'seed':
              for (let i = 0; i < step.count; i++) tracker.add(newJob({ job_id: `j${nextId++}`, account: ACCOUNTS[step.account]!, max_attempts: 2 }));
              break;
            case 'claim': {
              const before = tracker.all();
              const job = tracker.claimNext({ workerId: step.worker, runId: 'r', now })?.job;
              if (job) {
                checkClaim(before, job, now, cap, pacing, pastPosts, claimTimes);
                claimTimes.push(now);
              }
              break;
            }
            case 'succeed': {
              const j = pick(tracker, 'claimed', step.pick);
              if (j) tracker.succeed(j.job_id, now);
              break;
            }
            case 'fail': {
              const j = pick(tracker, 'claimed', step.pick);
              const failure = { message: MESSAGES[step.message]!, ...(step.retryAfterMs === null ? {} : { retryAfterMs: step.retryAfterMs }) };
              if (j) tracker.fail(j.job_id, { now, failure, retryDelayMs: 30_000 });
              break;
            }
            case 'unconfirm': {
              const j = pick(tracker, 'claimed', step.pick);
              if (j) tracker.markUnconfirmed(j.job_id, now);
              break;
            }
            case 'retryFailed':
              retryFailed(tracker);
              break;
            case 'unfreeze':
              unfreeze(tracker, ACCOUNTS[step.account]!, { retry: step.retry });
              break;
            case 'restart':
              // A new run: claims of the old one are orphans, as at a real start-up.
              tracker = new DayState(tracker.all(), options);
              adoptOrphans(tracker, 'r2', now);
              break;
            case 'tick':
              now += step.ms;
              break;
          }
          checkIndexes(tracker);
        }
      }),
      { numRuns: 800 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAPPED_STATUSES, newJob, STATUSES, type Job } from '../../src/core/job.js';
import { DayState } from '../../src/core/day-state.js';
import { retryFailed, releaseStale } from '../../src/core/operator-actions.js';
import { checkIndexes } from '../helpers/day.js';

const T0 = Date.parse('2026-11-29T20:00:00Z');
const ACCOUNTS = ['a', 'b', 'c', 'd', ''];
const MESSAGES = ['adb timeout', 'Your account has been suspended', 'video corrupted', 'weird', 'socket hang up'];

type Op =
  | { op: 'seed'; account: number; count: number }
  | { op: 'claim'; worker: number }
  | { op: 'succeed'; pick: number }
  | { op: 'fail'; pick: number; message: number }
  | { op: 'release'; pick: number }
  | { op: 'unconfirm'; pick: number }
  | { op: 'releaseStale' }
  | { op: 'retryFailed'; all: boolean }
  | { op: 'settle'; pick: number; verdict: 0 | 1 | 2 }
  | { op: 'skip'; pick: number }
  | { op: 'tick'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('seed' as const), account: fc.nat(ACCOUNTS.length - 1), count: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant('claim' as const), worker: fc.nat(7) }),
  fc.record({ op: fc.constant('claim' as const), worker: fc.nat(7) }),
  fc.record({ op: fc.constant('succeed' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('fail' as const), pick: fc.nat(), message: fc.nat(MESSAGES.length - 1) }),
  fc.record({ op: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('unconfirm' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('releaseStale' as const) }),
  fc.record({ op: fc.constant('retryFailed' as const), all: fc.boolean() }),
  fc.record({ op: fc.constant('settle' as const), pick: fc.nat(), verdict: fc.constantFrom(0 as const, 1 as const, 2 as const) }),
  fc.record({ op: fc.constant('skip' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 120_000 }) }),
);

/** G1 and G2 recounted from the rows themselves, not from the tracker's indexes. */
function checkGuarantees(tracker: DayState, cap: number): void {
  const rows = tracker.all();
  const counted = new Map<string, number>();
  const inFlight = new Map<string, number>();
  for (const row of rows) {
    if (!row.account) continue;
    if (CAPPED_STATUSES.has(row.status)) counted.set(row.account, (counted.get(row.account) ?? 0) + 1);
    if (row.status === 'claimed') inFlight.set(row.account, (inFlight.get(row.account) ?? 0) + 1);
  }
  for (const [account, n] of counted) expect(n, `G1 for ${account}`).toBeLessThanOrEqual(cap);
  for (const [account, n] of inFlight) expect(n, `G2 for ${account}`).toBeLessThanOrEqual(1);
  const counts = tracker.statusCounts();
  expect(STATUSES.reduce((sum, s) => sum + counts[s], 0)).toBe(rows.length);
  checkIndexes(tracker);
}

function pick(tracker: DayState, status: Job['status'], n: number): Job | undefined {
  const candidates = tracker.all().filter((j) => j.status === status);
  return candidates.length ? candidates[n % candidates.length] : undefined;
}

describe('rules under random operation sequences', () => {
  it('never break G1 or G2, and status counts always add up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.array(opArb, { maxLength: 80 }), (cap, ops) => {
        const tracker = new DayState([], { cap });
        let now = T0;
        let nextId = 0;
        for (const step of ops) {
          const ctx = (worker: number) => ({ workerId: worker, runId: 'r', now, pass: 1 });
          switch (step.op) {
            case 'seed':
              for (let i = 0; i < step.count; i++) tracker.add(newJob({ job_id: `j${nextId++}`, account: ACCOUNTS[step.account]!, max_attempts: 2 }));
              break;
            case 'claim':
              tracker.claimNext(ctx(step.worker));
              break;
            case 'succeed': {
              const j = pick(tracker, 'claimed', step.pick);
              if (j) tracker.succeed(j.job_id, now);
              break;
            }
            case 'fail': {
              const j = pick(tracker, 'claimed', step.pick);
              if (j) tracker.fail(j.job_id, { now, failure: { message: MESSAGES[step.message]! }, retryDelayMs: 30_000 });
              break;
            }
            case 'release': {
              const j = pick(tracker, 'claimed', step.pick);
              if (j) tracker.release(j.job_id);
              break;
            }
            case 'unconfirm': {
              const j = pick(tracker, 'claimed', step.pick);
              if (j) tracker.markUnconfirmed(j.job_id, now);
              break;
            }
            case 'releaseStale':
              releaseStale(tracker, { now, olderThanMs: 60_000 });
              break;
            case 'retryFailed':
              retryFailed(tracker, { includeNonRetryable: step.all });
              break;
            case 'settle': {
              const j = pick(tracker, 'unconfirmed', step.pick);
              if (j) tracker.settle(j.job_id, (['posted', 'not-posted', 'unknown'] as const)[step.verdict], now);
              break;
            }
            case 'skip': {
              const j = pick(tracker, 'pending', step.pick);
              if (j) tracker.skip(j.job_id, 'operator');
              break;
            }
            case 'tick':
              now += step.ms;
              break;
          }
          checkGuarantees(tracker, cap);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('claims every claimable job exactly when the rules allow it (claimNext agrees with a brute-force check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.record({ account: fc.nat(ACCOUNTS.length - 1), status: fc.constantFrom(...STATUSES), due: fc.boolean() }), { maxLength: 30 }),
        (cap, specs) => {
          const rows = specs.map((s, i) => newJob({
            job_id: `j${i}`, account: ACCOUNTS[s.account]!, status: s.status,
            retry_at: s.status === 'retrying' ? new Date(T0 + (s.due ? -1 : 1000)).toISOString() : '',
          }));
          const tracker = new DayState(rows, { cap });
          const counted = (acc: string) => rows.filter((r) => r.account === acc && CAPPED_STATUSES.has(r.status)).length;
          const busy = (acc: string) => rows.some((r) => r.account === acc && r.status === 'claimed');
          const claimable = rows.filter((r) => r.account && (r.status === 'pending' || (r.status === 'retrying' && Date.parse(r.retry_at) <= T0)) && !busy(r.account) && counted(r.account) < cap);
          const got = tracker.claimNext({ workerId: 0, runId: 'r', now: T0, pass: 1 })?.job;
          expect(got === undefined).toBe(claimable.length === 0);
          if (got) expect(claimable.map((r) => r.job_id)).toContain(got.job_id);
        },
      ),
      { numRuns: 500 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAPPED_STATUSES, newJob, STATUSES } from '../../src/core/job.js';
import { DayState } from '../../src/core/day-state.js';
import { checkGuarantees } from '../helpers/day.js';
import { dayOp, DayRun, type OpSpace } from '../helpers/day-ops.js';

const T0 = Date.parse('2026-11-29T20:00:00Z');
const ACCOUNTS = ['a', 'b', 'c', 'd', ''];

/** Every move of a run and of an operator, claims drawn twice as often. */
const SPACE: OpSpace = {
  accounts: ACCOUNTS,
  messages: ['adb timeout', 'Your account has been suspended', 'video corrupted', 'weird', 'socket hang up'],
  workers: 8,
  weights: { seed: 1, claim: 2, succeed: 1, fail: 1, release: 1, unconfirm: 1, releaseStale: 1, retryFailed: 1, settle: 1, skip: 1, tick: 1 },
};

describe('rules under random operation sequences', () => {
  it('never break G1 or G2, and status counts always add up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.array(dayOp(SPACE), { maxLength: 80 }), (cap, ops) => {
        const run = new DayRun(SPACE, { cap }, T0);
        for (const step of ops) {
          run.apply(step);
          checkGuarantees(run.day);
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

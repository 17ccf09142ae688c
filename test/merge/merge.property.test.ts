import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAPPED_STATUSES, cloneJob, newJob, STATUSES, type Job } from '../../src/core/job.js';
import { applyMergePlan, mergeEdit, OPERATOR_TRANSITIONS, sameRow } from '../../src/core/merge.js';
import { DayState } from '../../src/core/day-state.js';
import { parseLedger, serializeLedger } from '../../src/ledger/codec.js';
import { retryFailed, releaseStale } from '../../src/core/operator-actions.js';
import { checkIndexes } from '../helpers/day.js';

const T0 = Date.parse('2026-11-29T20:00:00Z');
const ACCOUNTS = ['a', 'b', 'c', ''];
const MESSAGES = ['adb timeout', 'Your account has been suspended', 'weird'];

type DaycapOp =
  | { op: 'claim'; worker: number }
  | { op: 'succeed' | 'fail' | 'release' | 'unconfirm' | 'settle' | 'skip'; pick: number; message: number; verdict: number }
  | { op: 'retryFailed' | 'releaseStale' }
  | { op: 'tick'; ms: number };

const daycapOp: fc.Arbitrary<DaycapOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('claim' as const), worker: fc.nat(5) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constantFrom('succeed' as const, 'fail' as const, 'fail' as const, 'release' as const, 'unconfirm' as const, 'unconfirm' as const, 'settle' as const, 'skip' as const),
      pick: fc.nat(), message: fc.nat(MESSAGES.length - 1), verdict: fc.nat(2),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('retryFailed' as const, 'releaseStale' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 120_000 }) }) },
);

/** What an operator (or a stale editor buffer, or a careless paste) can do to one row of the file. */
type RowEdit =
  | { kind: 'keep' }
  | { kind: 'status'; status: number }
  | { kind: 'legalStatus'; pick: number }
  | { kind: 'field'; field: 'account' | 'caption' | 'video_path' | 'max_attempts'; value: number }
  | { kind: 'daycapColumn'; value: number }
  | { kind: 'delete' }
  | { kind: 'likeCurrent' };

const rowEdit: fc.Arbitrary<RowEdit> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'keep' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('status' as const), status: fc.nat(STATUSES.length - 1) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('legalStatus' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('field' as const), field: fc.constantFrom('account' as const, 'caption' as const, 'video_path' as const, 'max_attempts' as const), value: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('daycapColumn' as const), value: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'delete' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'likeCurrent' as const }) },
);

const newRow = fc.record({ id: fc.nat(30), account: fc.nat(ACCOUNTS.length - 1), status: fc.nat(STATUSES.length - 1) });

function runDaycap(tracker: DayState, ops: readonly DaycapOp[], clock: { now: number }): void {
  const pick = (status: Job['status'], n: number) => {
    const c = tracker.all().filter((j) => j.status === status);
    return c.length ? c[n % c.length] : undefined;
  };
  for (const step of ops) {
    const now = clock.now;
    switch (step.op) {
      case 'claim': tracker.claimNext({ workerId: step.worker, runId: 'r', now, pass: 1 }); break;
      case 'succeed': { const j = pick('claimed', step.pick); if (j) tracker.succeed(j.job_id, now); break; }
      case 'fail': { const j = pick('claimed', step.pick); if (j) tracker.fail(j.job_id, { now, failure: { message: MESSAGES[step.message]! }, retryDelayMs: 30_000 }); break; }
      case 'release': { const j = pick('claimed', step.pick); if (j) tracker.release(j.job_id); break; }
      case 'unconfirm': { const j = pick('claimed', step.pick); if (j) tracker.markUnconfirmed(j.job_id, now); break; }
      case 'settle': { const j = pick('unconfirmed', step.pick); if (j) tracker.settle(j.job_id, (['posted', 'not-posted', 'unknown'] as const)[step.verdict % 3]!, now); break; }
      case 'skip': { const j = pick('pending', step.pick); if (j) tracker.skip(j.job_id, 'rule'); break; }
      case 'retryFailed': retryFailed(tracker, { includeNonRetryable: true }); break;
      case 'releaseStale': releaseStale(tracker, { now, olderThanMs: 60_000 }); break;
      case 'tick': clock.now += step.ms; break;
    }
  }
}

/** G1 and G2 recounted from the rows. */
function guarantees(tracker: DayState): void {
  const counted = new Map<string, number>();
  const claimed = new Map<string, number>();
  for (const r of tracker.all()) {
    if (!r.account) continue;
    if (CAPPED_STATUSES.has(r.status)) counted.set(r.account, (counted.get(r.account) ?? 0) + 1);
    if (r.status === 'claimed') claimed.set(r.account, (claimed.get(r.account) ?? 0) + 1);
  }
  for (const [acc, n] of counted) expect(n, `G1 ${acc}`).toBeLessThanOrEqual(tracker.cap);
  for (const [acc, n] of claimed) expect(n, `G2 ${acc}`).toBeLessThanOrEqual(1);
  checkIndexes(tracker);
}

describe('merging random edits against random daycap activity', () => {
  it('never breaks G1 or G2, never loses a row, and accounts for every operator change', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 }),
        fc.array(fc.nat(ACCOUNTS.length - 1), { minLength: 1, maxLength: 10 }),
        fc.array(daycapOp, { maxLength: 60 }),
        fc.array(daycapOp, { maxLength: 8 }),
        fc.array(rowEdit, { maxLength: 10 }),
        fc.array(newRow, { maxLength: 4 }),
        fc.boolean(),
        (cap, accounts, before, after, edits, added, reverse) => {
          const clock = { now: T0 };
          const tracker = new DayState(accounts.map((a, i) => newJob({ job_id: `j${i}`, account: ACCOUNTS[a]!, max_attempts: 2 })), { cap });
          runDaycap(tracker, before, clock);
          // base: as written to the CSV and read back.
          const base = parseLedger(serializeLedger(tracker.all()), 'base.csv').jobs;
          runDaycap(tracker, after, clock);
          guarantees(tracker);

          let edited: Job[] = [];
          base.forEach((row, i) => {
            const e = edits[i] ?? { kind: 'keep' as const };
            const r = cloneJob(row);
            switch (e.kind) {
              case 'keep': break;
              case 'status': r.status = STATUSES[e.status]!; break;
              case 'legalStatus': {
                const to = OPERATOR_TRANSITIONS[r.status];
                if (to.length) r.status = to[e.pick % to.length]!;
                break;
              }
              case 'field':
                if (e.field === 'max_attempts') r.max_attempts = e.value;
                else if (e.field === 'account') r.account = ACCOUNTS[e.value]!;
                else r[e.field] = `${e.field} ${e.value}`;
                break;
              case 'daycapColumn': r.attempts += e.value + 1; break;
              case 'delete': return;
              case 'likeCurrent': edited.push(cloneJob(tracker.get(row.job_id)!)); return;
            }
            edited.push(r);
          });
          for (const n of added) {
            const id = `j${n.id}`; // may collide with an existing row
            if (edited.some((r) => r.job_id === id)) continue;
            edited.push(newJob({ job_id: id, account: ACCOUNTS[n.account]!, status: STATUSES[n.status]! }));
          }
          if (reverse) edited = edited.reverse();

          const beforeMerge = new Map(tracker.all().map((r) => [r.job_id, cloneJob(r)]));
          const plan = mergeEdit({ base, edited, current: tracker, now: clock.now });
          const { changed, refused } = applyMergePlan(tracker, plan);
          expect(refused).toEqual([]); // nothing changed between plan and apply
          guarantees(tracker);

          // No row lost; rows not in the plan untouched; updates only by the operator's moves.
          const adds = plan.apply.filter((a) => a.kind === 'add');
          expect(tracker.size).toBe(beforeMerge.size + adds.length);
          const touched = new Set(changed.map((r) => r.job_id));
          for (const [id, was] of beforeMerge) {
            const now = tracker.get(id)!;
            expect(now, `row ${id} kept`).toBeDefined();
            if (!touched.has(id)) expect(sameRow(now, was)).toBe(true);
            else if (now.status !== was.status) expect(OPERATOR_TRANSITIONS[was.status]).toContain(now.status);
          }
          for (const a of adds) expect(['pending', 'skipped']).toContain(a.job.status);

          // Every operator change is either applied or refused; every deleted row is refused.
          const decided = new Set([...plan.apply.map((a) => a.job.job_id), ...plan.refused.map((r) => r.jobId)]);
          const baseById = new Map(base.map((r) => [r.job_id, r]));
          for (const e of edited) {
            const b = baseById.get(e.job_id);
            const live = beforeMerge.get(e.job_id);
            const isChange = b ? !sameRow(e, b) && !(live && sameRow(e, live)) : !(live && sameRow(e, live));
            if (isChange) expect(decided.has(e.job_id), `${e.job_id} decided`).toBe(true);
          }
          const editedIds = new Set(edited.map((r) => r.job_id));
          for (const b of base) if (!editedIds.has(b.job_id)) expect(plan.refused.some((r) => r.jobId === b.job_id && /deleted/.test(r.reason))).toBe(true);

          // And the rules still hold as daycap goes on claiming.
          for (let w = 0; w < 6; w++) tracker.claimNext({ workerId: w, runId: 'r', now: clock.now + 10 ** 9, pass: 2 });
          guarantees(tracker);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

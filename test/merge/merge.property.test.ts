import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cloneJob, newJob, STATUSES, type Job } from '../../src/core/job.js';
import { applyMergePlan, mergeEdit } from '../../src/core/merge.js';
import { OPERATOR_TRANSITIONS } from '../../src/core/operator-edits.js';
import { sameRow } from '../../src/core/same-row.js';
import { parseLedger, serializeLedger } from '../../src/ledger/codec.js';
import { checkGuarantees } from '../helpers/day.js';
import { dayOp, DayRun, type OpSpace } from '../helpers/day-ops.js';

const T0 = Date.parse('2026-11-29T20:00:00Z');
const ACCOUNTS = ['a', 'b', 'c', ''];

/** What daycap does meanwhile: mostly claims and outcomes, now and then an operator action or a tick. */
const SPACE: OpSpace = {
  accounts: ACCOUNTS,
  messages: ['adb timeout', 'Your account has been suspended', 'weird'],
  workers: 6,
  weights: { claim: 8, succeed: 1, fail: 2, release: 1, unconfirm: 2, settle: 1, skip: 1, retryFailed: 1, releaseStale: 1, tick: 2 },
};

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

describe('merging random edits against random daycap activity', () => {
  it('never breaks G1 or G2, never loses a row, and accounts for every operator change', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 }),
        fc.array(fc.nat(ACCOUNTS.length - 1), { minLength: 1, maxLength: 10 }),
        fc.array(dayOp(SPACE), { maxLength: 60 }),
        fc.array(dayOp(SPACE), { maxLength: 8 }),
        fc.array(rowEdit, { maxLength: 10 }),
        fc.array(newRow, { maxLength: 4 }),
        fc.boolean(),
        (cap, accounts, before, after, edits, added, reverse) => {
          const run = new DayRun(SPACE, { cap }, T0, accounts.map((a, i) => newJob({ job_id: `j${i}`, account: ACCOUNTS[a]!, max_attempts: 2 })));
          const tracker = run.day;
          for (const step of before) run.apply(step);
          // base: as written to the CSV and read back.
          const base = parseLedger(serializeLedger(tracker.all()), 'base.csv').jobs;
          for (const step of after) run.apply(step);
          checkGuarantees(tracker);

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
          const plan = mergeEdit({ base, edited, current: tracker, now: run.now });
          const { changed, refused } = applyMergePlan(tracker, plan);
          expect(refused).toEqual([]); // nothing changed between plan and apply
          checkGuarantees(tracker);

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
          for (let w = 0; w < 6; w++) tracker.claimNext({ workerId: w, runId: 'r', now: run.now + 10 ** 9, pass: 2 });
          checkGuarantees(tracker);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newJob, SEED_BLOCKING_STATUSES, STATUSES } from '../../src/core/job.js';
import { planSeed, type SeedInput } from '../../src/core/seed.js';

/** Few names, so collisions (shared ids, repeated accounts, preassignments to taken accounts) are common. */
const account = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
const jobId = fc.integer({ min: 0, max: 30 }).map((n) => `job-${n}`);

const seedInput: fc.Arbitrary<SeedInput> = fc
  .record({
    existing: fc.array(fc.record({ job_id: jobId, account: fc.oneof(account, fc.constant('')), status: fc.constantFrom(...STATUSES), video: fc.integer({ min: 0, max: 5 }) }), { maxLength: 12 }),
    priorPosts: fc.array(fc.tuple(account, fc.integer({ min: 0, max: 2 })), { maxLength: 4 }),
    candidates: fc.array(
      fc.record({ job_id: jobId, video: fc.integer({ min: 0, max: 5 }), account: fc.option(account, { nil: undefined }) }),
      { maxLength: 25 },
    ),
    accounts: fc.array(account, { maxLength: 8 }),
    cap: fc.integer({ min: 0, max: 4 }),
    posted: fc.array(fc.tuple(account, fc.integer({ min: 0, max: 5 })), { maxLength: 10 }),
    leftovers: fc.constantFrom('keep' as const, 'wait' as const),
  })
  .map(({ existing, priorPosts, candidates, accounts, cap, posted, leftovers }) => {
    const postedSet = new Set(posted.map(([a, v]) => `${a}|clip${v}.mp4`));
    return {
      existing: existing.map(({ video, ...job }) => newJob({ ...job, video_path: `C:\\earlier\\clip${video}.mp4` })),
      priorPosts: new Map(priorPosts),
      candidates: candidates.map(({ job_id, video, account: preassigned }) => ({
        job_id,
        video_path: `/videos/clip${video}.mp4`,
        caption: `caption ${job_id}`,
        ...(preassigned === undefined ? {} : { account: preassigned }),
      })),
      accounts,
      cap,
      alreadyPosted: (a: string, key: string) => postedSet.has(`${a}|${key}`),
      leftovers,
    };
  });

describe('planSeed properties', () => {
  it('respects the cap, blocked accounts, posted videos, videos an account has a row for, and existing ids; leaves the rest with account "" or waiting', () => {
    fc.assert(
      fc.property(seedInput, (input) => {
        const plan = planSeed(input);
        const blocked = new Set(input.existing.filter((job) => job.account && SEED_BLOCKING_STATUSES.has(job.status)).map((job) => job.account));
        for (const [name, n] of input.priorPosts ?? []) if (n > 0) blocked.add(name);
        const listed = new Set(input.accounts);
        const existingIds = new Set(input.existing.map((job) => job.job_id));

        const rowsOf = new Set(input.existing.filter((job) => job.account).map((job) => `${job.account}|${job.video_path.slice('C:\\earlier\\'.length)}`));
        const given = new Set<string>();
        const perAccount = new Map<string, number>();
        for (const job of plan.jobs) {
          expect(job.status).toBe('pending');
          expect(existingIds.has(job.job_id)).toBe(false);
          if (job.account === '') continue;
          expect(blocked.has(job.account)).toBe(false);
          expect(listed.has(job.account)).toBe(true);
          const video = job.video_path.slice('/videos/'.length);
          expect(input.alreadyPosted?.(job.account, video)).toBe(false);
          expect(rowsOf.has(`${job.account}|${video}`)).toBe(false);
          expect(given.has(`${job.account}|${video}`)).toBe(false);
          given.add(`${job.account}|${video}`);
          perAccount.set(job.account, (perAccount.get(job.account) ?? 0) + 1);
        }
        for (const n of perAccount.values()) expect(n).toBeLessThanOrEqual(input.cap);

        const ids = plan.jobs.map((job) => job.job_id);
        expect(new Set(ids).size).toBe(ids.length);
        const expectedIds = [...new Set(input.candidates.map((c) => c.job_id))].filter((id) => !existingIds.has(id));
        if (input.leftovers === 'wait') {
          expect(plan.unassigned).toBe(0);
          expect(ids).toEqual(expectedIds.filter((id) => ids.includes(id)));
          expect(ids.length + plan.waiting).toBe(expectedIds.length);
        } else {
          expect(ids).toEqual(expectedIds);
          expect(plan.waiting).toBe(0);
        }
        expect(plan.unassigned).toBe(plan.jobs.filter((job) => job.account === '').length);
        expect(plan.excludedAccounts.every((name) => blocked.has(name))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('spreads round-robin: with no preassignments or posted videos, counts differ by at most one until accounts fill', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), (n, accounts, cap) => {
        const names = Array.from({ length: accounts }, (_, i) => `acct${i}`);
        const candidates = Array.from({ length: n }, (_, i) => ({ job_id: `j${i}`, video_path: `/v/${i}.mp4`, caption: '' }));
        const plan = planSeed({ existing: [], candidates, accounts: names, cap });
        const counts = names.map((name) => plan.jobs.filter((job) => job.account === name).length);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        expect(plan.unassigned).toBe(Math.max(0, n - accounts * cap));
      }),
    );
  });

  it('gives the same plan for the same input', () => {
    fc.assert(
      fc.property(seedInput, (input) => {
        expect(planSeed(input)).toEqual(planSeed(input));
      }),
    );
  });
});

/** The day cap at claim time counts today's archived posts; cap skips are reported after any transition, once per pass. */
import { describe, expect, it } from 'vitest';
import { archivedPostsToday, archivedPostsWithin24h, capExceeded, localDayOf, type ArchivedRow } from '../../src/core/archived-posts.js';
import { newJob, type Job } from '../../src/core/job.js';
import { summarize } from '../../src/core/summary.js';
import { capSkipLine } from '../../src/core/claim-policy.js';
import { DayState } from '../../src/core/day-state.js';
import { accountSummary } from '../helpers/day.js';

const T0 = new Date(2025, 11, 14, 12, 0, 0).getTime();
const ctx = (now = T0, workerId = 0) => ({ workerId, runId: 'run-a', now });
const job = (id: string, account: string, fields: Partial<Job> = {}) => newJob({ job_id: id, account, ...fields });
const archived = (account: string, status: string, completedAt = '', claimedAt = ''): ArchivedRow => ({ jobId: `${account}-${status}`, account, status, completedAt, claimedAt, line: 2 });

describe('the day cap at claim time', () => {
  it("counts today's archived posts: a ledger seeded by any tool after a reset cannot post twice", () => {
    const tracker = new DayState([job('a2', 'account_a'), job('b1', 'account_b')], { cap: 1, archivedToday: new Map([['account_a', 1]]) });
    expect(tracker.claimNext(ctx())?.job.job_id).toBe('b1');
    expect(tracker.drainCapSkips().map(capSkipLine)).toEqual(['Skipping job a2 - account account_a at daily limit of 1']);
    expect(tracker.claimNext(ctx())?.job).toBeUndefined();
    expect(() => tracker.claim('a2', ctx())).toThrow(/daily limit of 1/);
    expect(accountSummary(tracker, 'account_a')?.counted).toBe(1);
  });

  it('under cap 2 one archived post leaves room for one more', () => {
    const tracker = new DayState([job('a2', 'account_a'), job('a3', 'account_a')], { cap: 2, archivedToday: new Map([['account_a', 1]]) });
    expect(tracker.claimNext(ctx())?.job?.job_id).toBe('a2');
    tracker.succeed('a2', T0 + 1);
    expect(tracker.claimNext(ctx(T0 + 2))?.job).toBeUndefined();
  });
});

describe('cap skips', () => {
  it('an account that reaches its cap by an outcome is reported by that step, without a claim', () => {
    const tracker = new DayState([job('a1', 'account_a'), job('a2', 'account_a')], { cap: 1 });
    expect(tracker.claimNext(ctx())?.job?.job_id).toBe('a1');
    expect(tracker.drainCapSkips()).toEqual([]);
    tracker.succeed('a1', T0 + 1);
    expect(tracker.drainCapSkips().map(capSkipLine)).toEqual(['Skipping job a2 - account account_a at daily limit of 1']);
    expect(tracker.drainCapSkips()).toEqual([]);
    expect(tracker.claimNext(ctx(T0 + 2))).toBeUndefined();
    expect(tracker.drainCapSkips()).toEqual([]);
  });

  it('a new pass (the first claim of a higher attempt) reports the jobs the cap still holds back once more', () => {
    const rows = [job('a1', 'account_a', { status: 'success' }), job('a2', 'account_a'), job('b1', 'account_b'), job('b2', 'account_b', { status: 'retrying', attempts: 1, retry_at: new Date(T0).toISOString() })];
    const tracker = new DayState(rows, { cap: 1 });
    expect(tracker.drainCapSkips().map((skip) => skip.jobId)).toEqual(['a2']);
    expect(tracker.claimNext(ctx())?.job.pass_number).toBe(1);
    tracker.fail('b1', { now: T0, failure: { message: 'adb timeout' }, retryDelayMs: 0 });
    expect(tracker.drainCapSkips()).toEqual([]);
    expect(tracker.claimNext(ctx(T0 + 1))?.job.pass_number).toBe(2);
    expect(tracker.drainCapSkips().map((skip) => skip.jobId)).toEqual(['a2']);
  });
});

describe('archived posts (pure)', () => {
  it("a row counts for today unless its completed_at is clearly an earlier day; naive times are local", () => {
    const rows = [
      archived('a', 'success', '2025-12-14T09:31:02.123456'),
      archived('b', 'success', '2025-12-13T23:59:59.999999'),
      archived('c', 'success', ''),
      archived('d', 'success', 'rebuilt'),
      archived('e', 'claimed', '', '2025-12-13T23:58:00.000000'),
      archived('f', 'pending', '2025-12-14T09:00:00'),
      archived('g', 'verification_pending', '2025-12-14T10:00:00'),
    ];
    expect(Object.fromEntries(archivedPostsToday(rows, T0))).toEqual({ a: 1, c: 1, d: 1, e: 1, g: 1 });
    expect(localDayOf('2025-12-14T23:30:00')).toBe('2025-12-14');
  });

  it('rolling: a row without a time is taken as late as its archive was written', () => {
    const written = T0 - 60_000;
    const posts = archivedPostsWithin24h([archived('a', 'success', ''), archived('b', 'success', '2025-12-12T09:00:00')], T0, written);
    expect(posts).toEqual([{ account: 'a', at: written }]);
  });

  it('cap exceeded: ledger and archives together, by account', () => {
    const rows = [job('a1', 'a', { status: 'success' }), job('a2', 'a', { status: 'claimed' }), job('b1', 'b', { status: 'success' })];
    const summary = summarize(rows, 1, T0, undefined, new Map([['b', 1], ['c', 1]]));
    expect(summary.capExceeded).toEqual([{ account: 'a', posts: 2, cap: 1 }, { account: 'b', posts: 2, cap: 1 }]);
    expect(summary.accountsAtCap).toEqual(['a', 'b', 'c']);
    expect(capExceeded(new Map([['x', 3]]), 3)).toEqual([]);
  });
});

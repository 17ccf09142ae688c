import { describe, expect, it } from 'vitest';
import { newJob, type Job } from '../../src/core/job.js';
import { DayState } from '../../src/core/day-state.js';
import { capSkipLine } from '../../src/core/claim-policy.js';
import { retryFailed, releaseStale, adoptOrphans } from '../../src/core/operator-actions.js';
import { checkIndexes } from '../helpers/day.js';

const T0 = Date.parse('2026-11-29T20:00:00Z');
const ctx = (workerId = 0, now = T0) => ({ workerId, runId: 'run-a', now, pass: 1 });
const job = (id: string, account: string, fields: Partial<Job> = {}) => newJob({ job_id: id, account, ...fields });

describe('claiming: success and claimed count toward the daily limit', () => {
  it('counts a success toward the daily limit: not claimed at cap 1, claimed at cap 2', () => {
    const rows = [job('j1', 'account_a', { status: 'success' }), job('j2', 'account_a')];
    const capOne = new DayState(rows, { cap: 1 });
    expect(capOne.claimNext(ctx())).toBeUndefined();
    expect(capOne.drainCapSkips().map(capSkipLine)).toEqual(['Skipping job j2 - account account_a at daily limit of 1']);

    const capTwo = new DayState(rows, { cap: 2 });
    expect(capTwo.claimNext(ctx())?.job?.job_id).toBe('j2');
  });

  it('never gives an account with a claimed job a second claim', () => {
    const tracker = new DayState([job('j1', 'account_a', { status: 'claimed', run_id: 'run-a' }), job('j2', 'account_a')], { cap: 5 });
    expect(tracker.claimNext(ctx())?.job).toBeUndefined();
    expect(() => tracker.claim('j2', ctx())).toThrow(/in flight/);
  });

  it('counts claimed and unconfirmed toward the cap', () => {
    const tracker = new DayState([job('j1', 'a', { status: 'unconfirmed' }), job('j2', 'a')], { cap: 1 });
    expect(tracker.claimNext(ctx())?.job).toBeUndefined();
  });

  it('claims pending jobs across accounts, one per account at a time, round-robin', () => {
    const tracker = new DayState([job('a1', 'a'), job('a2', 'a'), job('b1', 'b')], { cap: 2 });
    const first = tracker.claimNext(ctx(0))?.job!;
    const second = tracker.claimNext(ctx(1))?.job!;
    expect([first.job_id, second.job_id]).toEqual(['a1', 'b1']);
    expect(tracker.claimNext(ctx(2))?.job).toBeUndefined();
    tracker.succeed('a1', T0 + 1);
    expect(tracker.claimNext(ctx(2))?.job?.job_id).toBe('a2');
  });

  it('never claims a job without an account', () => {
    const tracker = new DayState([job('x', '')]);
    expect(tracker.claimNext(ctx())?.job).toBeUndefined();
    expect(tracker.unassigned).toBe(1);
  });

  it('claims a retrying job only once retry_at has passed', () => {
    const at = new Date(T0 + 60_000).toISOString();
    const tracker = new DayState([job('j', 'a', { status: 'retrying', retry_at: at, attempts: 1 })]);
    expect(tracker.claimNext(ctx(0, T0))?.job).toBeUndefined();
    expect(tracker.nextRetryAt(T0)).toBe(T0 + 60_000);
    expect(tracker.claimNext(ctx(0, T0 + 60_000))?.job?.job_id).toBe('j');
  });

  it('undoes a recorded step, rows and indexes, when making it durable fails', () => {
    const tracker = new DayState([job('a1', 'a'), job('a2', 'a'), job('b1', 'b', { status: 'failed', error_category: 'account', error_type: 'suspended' })], { cap: 2 });
    tracker.claimNext(ctx());
    const before = tracker.all();
    tracker.beginStep();
    tracker.succeed('a1', T0);
    tracker.claimNext(ctx());
    tracker.add(job('c1', 'c'));
    retryFailed(tracker, { includeNonRetryable: true });
    tracker.undo(tracker.endStep());
    expect(tracker.all()).toEqual(before);
    checkIndexes(tracker);
    expect(tracker.accountHold('b', T0)?.rule).toBe('frozen');
    expect(tracker.claimNext(ctx())).toBeUndefined();
  });
});

describe('transitions', () => {
  it('retries a retryable failure after the delay, then fails for good when attempts run out', () => {
    const tracker = new DayState([job('j', 'a', { max_attempts: 2 })]);
    tracker.claimNext(ctx());
    const first = tracker.fail('j', { now: T0, failure: { message: 'adb timeout' }, retryDelayMs: 1000 });
    expect(first).toMatchObject({ status: 'retrying', attempts: 1, error_category: 'infrastructure', error_type: 'adb_timeout', retry_at: new Date(T0 + 1000).toISOString() });
    tracker.claimNext(ctx(0, T0 + 1000));
    const second = tracker.fail('j', { now: T0 + 2000, failure: { message: 'adb timeout' }, retryDelayMs: 1000 });
    expect(second).toMatchObject({ status: 'failed', attempts: 2, retry_at: '' });
  });

  it('fails a non-retryable error at once, and honours a retry-after longer than the delay', () => {
    const tracker = new DayState([job('j', 'a'), job('k', 'b')]);
    tracker.claim('j', ctx());
    expect(tracker.fail('j', { now: T0, failure: { message: 'Your account has been suspended' }, retryDelayMs: 1 }).status).toBe('failed');
    tracker.claim('k', ctx());
    const k = tracker.fail('k', { now: T0, failure: { message: 'x', retryAfterMs: 9000 }, retryDelayMs: 1 });
    expect(k.retry_at).toBe(new Date(T0 + 9000).toISOString());
  });

  it('lets a handler classify its own error', () => {
    const tracker = new DayState([job('j', 'a')]);
    tracker.claim('j', ctx());
    expect(tracker.fail('j', { now: T0, failure: { message: 'anything', category: 'account', type: 'shadowban', retryable: false }, retryDelayMs: 1 }))
      .toMatchObject({ status: 'failed', error_category: 'account', error_type: 'shadowban' });
  });

  it('refuses illegal transitions without applying them', () => {
    const tracker = new DayState([job('j', 'a')]);
    expect(() => tracker.succeed('j', T0)).toThrow(/cannot go from pending to success/);
    expect(tracker.get('j')?.status).toBe('pending');
    expect(() => tracker.markUnconfirmed('j', T0)).toThrow();
    expect(() => tracker.skip('missing', 'x')).toThrow(/no job missing/);
  });

  it('retry-failed skips non-retryable failures unless asked', () => {
    const tracker = new DayState([
      job('acc', 'a', { status: 'failed', error_category: 'account', attempts: 1 }),
      job('inf', 'b', { status: 'failed', error_category: 'infrastructure', attempts: 3 }),
    ]);
    expect(retryFailed(tracker).map((j) => j.job_id)).toEqual(['inf']);
    expect(tracker.get('inf')).toMatchObject({ status: 'pending', attempts: 0 });
    expect(retryFailed(tracker, { includeNonRetryable: true }).map((j) => j.job_id)).toEqual(['acc']);
  });
});

describe('crash recovery preserves limits (seed scenario C)', () => {
  it('turns a dead run\'s claim into unconfirmed, keeps it off the account, and frees it on release', () => {
    const rows = [job('a1', 'account_a', { status: 'claimed', run_id: 'dead', claimed_at: new Date(T0 - 3_600_000).toISOString() }), job('a2', 'account_a')];
    const tracker = new DayState(rows, { cap: 1 });
    expect(adoptOrphans(tracker, 'run-a', T0).map((j) => j.status)).toEqual(['unconfirmed']);
    expect(tracker.claimNext(ctx())?.job).toBeUndefined();
    expect(releaseStale(tracker, { now: T0, olderThanMs: 0 }).map((j) => j.job_id)).toEqual(['a1']);
    expect(tracker.claimNext(ctx())?.job?.account).toBe('account_a');
  });

  it('releases only claims older than the given age', () => {
    const tracker = new DayState([
      job('old', 'a', { status: 'claimed', claimed_at: new Date(T0 - 20 * 60_000).toISOString() }),
      job('new', 'b', { status: 'claimed', claimed_at: new Date(T0 - 60_000).toISOString() }),
    ]);
    expect(releaseStale(tracker, { now: T0, olderThanMs: 10 * 60_000 }).map((j) => j.job_id)).toEqual(['old']);
  });

  it('settles unconfirmed jobs by the verify verdict', () => {
    const tracker = new DayState([job('p', 'a', { status: 'unconfirmed' }), job('n', 'b', { status: 'unconfirmed' }), job('u', 'c', { status: 'unconfirmed' })]);
    expect(tracker.settle('p', 'posted', T0)?.status).toBe('success');
    expect(tracker.settle('n', 'not-posted', T0)?.status).toBe('pending');
    expect(tracker.settle('u', 'unknown', T0)).toBeUndefined();
    expect(tracker.get('u')?.status).toBe('unconfirmed');
  });
});

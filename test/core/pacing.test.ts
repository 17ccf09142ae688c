/** Account health and pacing rules with a fake clock: every `now` is passed in. */
import { describe, expect, it } from 'vitest';
import { newJob, type Job } from '../../src/core/job.js';
import { DEFAULT_HEALTH, type HealthPolicy } from '../../src/core/policy.js';
import { DayState, type DayOptions } from '../../src/core/day-state.js';
import { frozenAccounts } from '../../src/core/health.js';
import { unfreeze, operatorUpdate } from '../../src/core/operator-actions.js';
import { pacing } from '../helpers/day.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2026-11-29T10:00:00Z');
const ctx = (now: number, workerId = 0) => ({ workerId, runId: 'run-a', now });
const job = (id: string, account: string, fields: Partial<Job> = {}) => newJob({ job_id: id, account, ...fields });
const health = (fields: Partial<HealthPolicy>): HealthPolicy => ({ ...DEFAULT_HEALTH, ...fields });
const fail = (tracker: DayState, id: string, now: number, message: string, extra: { retryAfterMs?: number } = {}) =>
  tracker.fail(id, { now, failure: { message, ...extra }, retryDelayMs: MIN });
/** The same rows in a new tracker: what a restart sees. */
const restart = (tracker: DayState, options: DayOptions) => new DayState(tracker.all(), options);

describe('minimum gap between two posts of an account', () => {
  const options = { cap: 3, pacing: pacing({ minGapMs: 10 * MIN }) };

  it('holds the account for the gap after its last attempt ends, then lets it go', () => {
    const tracker = new DayState([job('a1', 'a'), job('a2', 'a'), job('b1', 'b')], options);
    expect(tracker.claimNext(ctx(T0))?.job?.job_id).toBe('a1');
    tracker.succeed('a1', T0 + 2 * MIN);
    expect(tracker.claimNext(ctx(T0 + 2 * MIN))?.job?.job_id).toBe('b1');
    expect(tracker.claimNext(ctx(T0 + 11 * MIN))?.job).toBeUndefined();
    expect(tracker.accountHold('a', T0 + 11 * MIN)).toEqual({ rule: 'gap', until: T0 + 12 * MIN });
    const blockers = tracker.blockers(T0 + 11 * MIN);
    expect(blockers).toMatchObject({ accountsInGap: 1, accountsInFlight: 0, nextAccountAt: T0 + 12 * MIN });
    expect(tracker.claimNext(ctx(T0 + 12 * MIN - 1))?.job).toBeUndefined();
    expect(tracker.claimNext(ctx(T0 + 12 * MIN))?.job?.job_id).toBe('a2');
  });

  it('runs from a failed attempt too, and is rebuilt from completed_at after a restart', () => {
    const tracker = new DayState([job('a1', 'a', { max_attempts: 1 }), job('a2', 'a')], options);
    tracker.claimNext(ctx(T0));
    fail(tracker, 'a1', T0 + MIN, 'video corrupted');
    const again = restart(tracker, options);
    expect(again.claimNext(ctx(T0 + 5 * MIN))?.job).toBeUndefined();
    expect(again.claimNext(ctx(T0 + 11 * MIN))?.job?.job_id).toBe('a2');
  });

  it('adds jitter drawn from the injected randomness, never less than the gap', () => {
    const draws = [0.5, 0.999];
    const tracker = new DayState([job('a1', 'a'), job('a2', 'a'), job('a3', 'a')], { cap: 3, pacing: pacing({ minGapMs: 10 * MIN, jitterMs: 4 * MIN }), random: () => draws.shift() ?? 0 });
    tracker.claimNext(ctx(T0));
    tracker.succeed('a1', T0);
    expect(tracker.accountHold('a', T0)).toEqual({ rule: 'gap', until: T0 + 12 * MIN });
    expect(tracker.claimNext(ctx(T0 + 12 * MIN))?.job?.job_id).toBe('a2');
    tracker.succeed('a2', T0 + 12 * MIN);
    const until = (tracker.accountHold('a', T0 + 12 * MIN) as { until: number }).until;
    expect(until - (T0 + 12 * MIN)).toBe(10 * MIN + Math.floor(0.999 * 4 * MIN));
  });
});

describe('freezing an account on an account failure', () => {
  it('keeps its other jobs pending and unclaimed, says why, and stays frozen after a restart', () => {
    const options = { cap: 3 };
    const tracker = new DayState([job('a1', 'a'), job('a2', 'a'), job('b1', 'b')], options);
    tracker.claimNext(ctx(T0));
    const row = fail(tracker, 'a1', T0 + MIN, 'Your account has been suspended');
    expect(row).toMatchObject({ status: 'failed', error_category: 'account', error_type: 'suspended' });
    expect(tracker.accountHold('a', T0 + MIN)).toMatchObject({ rule: 'frozen', reason: expect.stringContaining('suspended') });
    expect(tracker.claimNext(ctx(T0 + 2 * HOUR))?.job?.job_id).toBe('b1');
    expect(tracker.claimNext(ctx(T0 + 2 * HOUR))?.job).toBeUndefined();
    expect(tracker.get('a2')?.status).toBe('pending');
    expect(tracker.blockers(T0 + 2 * HOUR).accountsFrozen).toBe(1);

    const again = restart(tracker, options);
    expect(again.claimNext(ctx(T0 + 20 * HOUR))?.job).toBeUndefined();
    expect(frozenAccounts(again.all(), DEFAULT_HEALTH)).toEqual([{ account: 'a', jobId: 'a1', reason: expect.stringContaining('account/suspended'), since: row.completed_at }]);
  });

  it('is lifted by unfreeze: the failed job is retried, or skipped with --no-retry', () => {
    const tracker = new DayState([job('a1', 'a'), job('a2', 'a')], { cap: 3 });
    tracker.claimNext(ctx(T0));
    fail(tracker, 'a1', T0, 'logged out');
    const changed = unfreeze(tracker, 'a', { retry: true });
    expect(changed).toMatchObject([{ job_id: 'a1', status: 'pending', attempts: 0, error: '' }]);
    expect(tracker.claimNext(ctx(T0))?.job?.job_id).toBe('a2');

    const other = new DayState([job('a1', 'a'), job('a2', 'a')], { cap: 3 });
    other.claimNext(ctx(T0));
    fail(other, 'a1', T0, 'verification required');
    expect(unfreeze(other, 'a', { retry: false })).toMatchObject([{ job_id: 'a1', status: 'skipped' }]);
    expect(other.claimNext(ctx(T0))?.job?.job_id).toBe('a2');
    expect(unfreeze(other, 'b', { retry: true })).toEqual([]);
  });

  it('is lifted by an edit of the freezing row in the ledger', () => {
    const tracker = new DayState([job('a1', 'a'), job('a2', 'a')], { cap: 3 });
    tracker.claimNext(ctx(T0));
    const row = fail(tracker, 'a1', T0, 'banned');
    operatorUpdate(tracker, 'a1', { ...row, status: 'skipped' });
    expect(tracker.claimNext(ctx(T0))?.job?.job_id).toBe('a2');
  });

  it('follows the configured categories', () => {
    const tracker = new DayState([job('a1', 'a'), job('a2', 'a')], { cap: 3, health: health({ freezeCategories: ['content'] }) });
    tracker.claimNext(ctx(T0));
    fail(tracker, 'a1', T0, 'video corrupted');
    expect(tracker.accountHold('a', T0)?.rule).toBe('frozen');
  });
});

describe('cooldowns', () => {
  it('honours a retry-after from the platform, for every job of the account, across a restart', () => {
    const options = { cap: 3 };
    const tracker = new DayState([job('a1', 'a'), job('a2', 'a')], options);
    tracker.claimNext(ctx(T0));
    const row = fail(tracker, 'a1', T0, '429 please slow down', { retryAfterMs: 30 * MIN });
    expect(row).toMatchObject({ status: 'retrying', error_category: 'rate_limit', error_type: 'rate_limited', retry_at: new Date(T0 + 30 * MIN).toISOString() });
    expect(row.extra?.cooldown_until).toBe(new Date(T0 + 30 * MIN).toISOString());
    expect(tracker.claimNext(ctx(T0 + 29 * MIN))?.job).toBeUndefined();
    expect(tracker.blockers(T0 + 29 * MIN)).toMatchObject({ accountsCooling: 1, nextAccountAt: T0 + 30 * MIN });

    const again = restart(tracker, options);
    expect(again.accountHold('a', T0 + 29 * MIN)).toEqual({ rule: 'cooling-down', until: T0 + 30 * MIN });
    expect(again.claimNext(ctx(T0 + 29 * MIN))?.job).toBeUndefined();
    expect(again.claimNext(ctx(T0 + 30 * MIN))?.job?.job_id).toBeDefined();
  });

  it('cools an action block down for the configured default, without freezing', () => {
    const tracker = new DayState([job('a1', 'a'), job('a2', 'a')], { cap: 3, health: health({ defaultCooldownMs: 2 * HOUR }) });
    tracker.claimNext(ctx(T0));
    const row = fail(tracker, 'a1', T0, 'Action Blocked: try again later');
    expect(row).toMatchObject({ status: 'failed', error_type: 'action_blocked' });
    expect(tracker.accountHold('a', T0 + HOUR)).toEqual({ rule: 'cooling-down', until: T0 + 2 * HOUR });
    expect(tracker.claimNext(ctx(T0 + 2 * HOUR))?.job?.job_id).toBe('a2');
  });

  it('cools an account down after N infrastructure failures in a row; a success resets the count', () => {
    const options = { cap: 9, health: health({ failureStreak: 2, streakCooldownMs: HOUR }) };
    const tracker = new DayState(['1', '2', '3', '4'].map((n) => job(`a${n}`, 'a', { max_attempts: 1 })), options);
    let now = T0;
    const attempt = (outcome: 'fail' | 'ok') => {
      const claimed = tracker.claimNext(ctx(now))?.job!;
      if (outcome === 'ok') tracker.succeed(claimed.job_id, now);
      else fail(tracker, claimed.job_id, now, 'adb timeout');
      now += MIN;
    };
    attempt('fail');
    attempt('ok');
    attempt('fail');
    expect(tracker.accountHold('a', now)).toBeUndefined();
    attempt('fail');
    expect(tracker.accountHold('a', now)).toEqual({ rule: 'cooling-down', until: now - MIN + HOUR });
  });

  it('is lifted by clearing cooldown_until in the ledger', () => {
    const tracker = new DayState([job('a1', 'a'), job('a2', 'a')], { cap: 3 });
    tracker.claimNext(ctx(T0));
    const row = fail(tracker, 'a1', T0, 'slow down', { retryAfterMs: HOUR });
    operatorUpdate(tracker, 'a1', { ...row, extra: { cooldown_until: '' } });
    expect(tracker.claimNext(ctx(T0))?.job?.job_id).toBe('a2');
  });
});

describe('global rate limit', () => {
  it('makes at most N claims in any 60 seconds over all accounts, counting claims of earlier runs', () => {
    const rows = ['a', 'b', 'c', 'd'].map((a) => job(`${a}1`, a));
    const tracker = new DayState(rows, { pacing: pacing({ perMinute: 2 }) });
    expect(tracker.claimNext(ctx(T0))?.job).toBeDefined();
    expect(tracker.claimNext(ctx(T0 + 10_000))?.job).toBeDefined();
    expect(tracker.claimNext(ctx(T0 + 59_999))?.job).toBeUndefined();
    expect(tracker.blockers(T0 + 30_000).global).toEqual({ rule: 'rate-limit', until: T0 + 60_000 });
    const again = restart(tracker, { pacing: pacing({ perMinute: 2 }) });
    expect(again.claimNext(ctx(T0 + 30_000))?.job).toBeUndefined();
    expect(again.claimNext(ctx(T0 + 60_000))?.job).toBeDefined();
    expect(again.claimNext(ctx(T0 + 60_000))?.job).toBeUndefined();
  });
});

describe('posting windows', () => {
  const berlin = (ranges: string[], atEnd: 'wait' | 'end' = 'wait') => pacing({
    windows: { timeZone: 'Europe/Berlin', ranges: ranges.map((r) => ({ start: r.slice(0, 5), end: r.slice(6) })), atEnd },
  });
  const rows = () => ['a', 'b', 'c', 'd', 'e'].map((a) => job(`${a}1`, a));

  it('claims nothing outside 08:00–23:00 Europe/Berlin and says when it opens', () => {
    const tracker = new DayState(rows(), { pacing: berlin(['08:00-23:00']) });
    const at0659z = Date.parse('2026-11-29T06:59:59Z'); // 07:59:59 CET
    expect(tracker.claimNext(ctx(at0659z))?.job).toBeUndefined();
    expect(tracker.blockers(at0659z).global).toEqual({ rule: 'outside-window', until: Date.parse('2026-11-29T07:00:00Z') });
    expect(tracker.claimNext(ctx(Date.parse('2026-11-29T07:00:00Z')))?.job).toBeDefined();
    expect(tracker.claimNext(ctx(Date.parse('2026-11-29T21:59:59Z')))?.job).toBeDefined();
    expect(tracker.claimNext(ctx(Date.parse('2026-11-29T22:00:00Z')))?.job).toBeUndefined();
  });

  it('handles a window across midnight', () => {
    const tracker = new DayState(rows(), { pacing: berlin(['22:00-02:00']) });
    expect(tracker.claimNext(ctx(Date.parse('2026-11-29T20:59:00Z')))?.job).toBeUndefined(); // 21:59 local
    expect(tracker.claimNext(ctx(Date.parse('2026-11-29T21:00:00Z')))?.job).toBeDefined(); // 22:00
    expect(tracker.claimNext(ctx(Date.parse('2026-11-29T23:30:00Z')))?.job).toBeDefined(); // 00:30 next day
    expect(tracker.claimNext(ctx(Date.parse('2026-11-30T00:59:59Z')))?.job).toBeDefined(); // 01:59:59
    expect(tracker.claimNext(ctx(Date.parse('2026-11-30T01:00:00Z')))?.job).toBeUndefined(); // 02:00
  });

  it('follows daylight saving: the same local window moves in UTC on the change days', () => {
    // Spring forward, 2026-03-29: 02:00 CET becomes 03:00 CEST. A window from 02:30 opens at 03:00 CEST (01:00Z).
    const spring = new DayState(rows(), { pacing: berlin(['02:30-05:00']) });
    expect(spring.claimNext(ctx(Date.parse('2026-03-29T00:59:59Z')))?.job).toBeUndefined();
    expect(spring.blockers(Date.parse('2026-03-29T00:30:00Z')).global?.until).toBe(Date.parse('2026-03-29T01:00:00Z'));
    expect(spring.claimNext(ctx(Date.parse('2026-03-29T01:00:00Z')))?.job).toBeDefined();
    // Fall back, 2026-10-25: 08:00 local is 07:00Z (CET), not 06:00Z as the day before (CEST).
    const fall = new DayState(rows(), { pacing: berlin(['08:00-23:00']) });
    expect(fall.claimNext(ctx(Date.parse('2026-10-24T06:00:00Z')))?.job).toBeDefined();
    expect(fall.claimNext(ctx(Date.parse('2026-10-25T06:30:00Z')))?.job).toBeUndefined();
    expect(fall.claimNext(ctx(Date.parse('2026-10-25T07:00:00Z')))?.job).toBeDefined();
  });
});

describe('rolling 24-hour cap', () => {
  const rolling = pacing({ capMode: 'rolling-24h' });

  it("counts yesterday's archived posts until they are 24 hours old, across a reset-day", () => {
    // The day was reset at midnight: today's ledger is fresh, yesterday's posts are in its archive.
    const yesterdayPost = Date.parse('2026-11-28T15:00:00Z');
    const tracker = new DayState([job('a-today', 'a'), job('b-today', 'b')], { cap: 1, pacing: rolling, pastPosts: [{ account: 'a', at: yesterdayPost }] });
    const morning = Date.parse('2026-11-29T08:00:00Z');
    expect(tracker.claimNext(ctx(morning))?.job?.job_id).toBe('b-today');
    expect(tracker.claimNext(ctx(morning))?.job).toBeUndefined();
    expect(tracker.accountHold('a', morning)).toEqual({ rule: 'at-cap', until: yesterdayPost + 24 * HOUR });
    expect(tracker.claimNext(ctx(yesterdayPost + 24 * HOUR - 1))?.job).toBeUndefined();
    expect(tracker.claimNext(ctx(yesterdayPost + 24 * HOUR))?.job?.job_id).toBe('a-today');
  });

  it("lets a per-day ledger's old posts age out, where the day cap would hold them", () => {
    const rows = [job('a1', 'a', { status: 'success', completed_at: '2026-11-29T01:00:00.000Z' }), job('a2', 'a')];
    expect(new DayState(rows, { cap: 1 }).claimNext(ctx(Date.parse('2026-11-30T02:00:00Z')))?.job).toBeUndefined();
    expect(new DayState(rows, { cap: 1, pacing: rolling }).claimNext(ctx(Date.parse('2026-11-30T01:00:00Z')))?.job?.job_id).toBe('a2');
  });
});

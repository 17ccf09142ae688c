/**
 * The rules on a ledger the seed system wrote: its times are naive local time with microseconds
 * (Python's `datetime.now().isoformat()`). Each rule must read them as the local instants they are,
 * and a tracker given the local convention must write its own times the same way. Run in New York
 * (UTC-5 in December): read as UTC, every time below would be five hours early, and each test would
 * see the account free (or held) at the wrong moment.
 */
import { describe, expect, it } from 'vitest';
import { frozenAccounts } from '../../src/core/health.js';
import { newJob, type Job } from '../../src/core/job.js';
import { applyMergePlan, mergeEdit } from '../../src/core/merge.js';
import { COOLDOWN_COLUMN, DEFAULT_HEALTH } from '../../src/core/policy.js';
import { planSeed } from '../../src/core/seed.js';
import { localIsoTime, parseTime } from '../../src/core/time.js';
import { DayState } from '../../src/core/day-state.js';
import { adoptOrphans } from '../../src/core/operator-actions.js';
import { inTimeZone } from '../helpers/time.js';
import { pacing } from '../helpers/day.js';

inTimeZone('America/New_York');

const MIN = 60_000;
/** A New York wall-clock time on 2025-12-14 (UTC-5) as epoch ms. */
const ny = (h: number, mi: number, s = 0, ms = 0) => Date.UTC(2025, 11, 14, h + 5, mi, s, ms);
const ctx = (now: number) => ({ workerId: 1, runId: 'daycap-run', now });
const job = (id: string, account: string, fields: Partial<Job> = {}) => newJob({ job_id: id, account, ...fields });
/** A success the seed system recorded, its times as it writes them. */
const posted = (id: string, account: string, completedAt: string) =>
  job(id, account, { status: 'success', worker_id: '0', claimed_at: '2025-12-14T09:30:01.000200', completed_at: completedAt, attempts: 1 });

describe('reading what the seed system wrote', () => {
  it('retry_at: a retry is due at its local time, not five hours earlier', () => {
    const rows = [job('r', 'a', { status: 'retrying', attempts: 1, retry_at: '2025-12-14T09:35:00.250000', error: 'adb timeout' })];
    const tracker = new DayState(rows);
    expect(tracker.claimNext(ctx(ny(9, 35, 0, 249)))?.job).toBeUndefined();
    expect(tracker.nextRetryAt(ny(9, 0))).toBe(ny(9, 35, 0, 250));
    expect(tracker.claimNext(ctx(ny(9, 35, 0, 250)))?.job?.job_id).toBe('r');
  });

  it('gaps: counted from the local completed_at of the last attempt', () => {
    const rows = [posted('p', 'a', '2025-12-14T09:31:02.123456'), job('next', 'a')];
    const tracker = new DayState(rows, { cap: 2, pacing: pacing({ minGapMs: 10 * MIN }) });
    expect(tracker.accountHold('a', ny(9, 40))).toEqual({ rule: 'gap', until: ny(9, 41, 2, 123) });
    expect(tracker.claimNext(ctx(ny(9, 41, 2, 122)))?.job).toBeUndefined();
    expect(tracker.claimNext(ctx(ny(9, 41, 2, 123)))?.job?.job_id).toBe('next');
  });

  it('rolling 24-hour cap: a post of yesterday morning counts until the same local time today', () => {
    const rows = [posted('p', 'a', '2025-12-13T10:00:00.000001'), job('today', 'a')];
    const tracker = new DayState(rows, { cap: 1, pacing: pacing({ capMode: 'rolling-24h' }) });
    expect(tracker.claimNext(ctx(ny(9, 59, 59, 999)))?.job).toBeUndefined();
    expect(tracker.claimNext(ctx(ny(10, 0, 0, 1)))?.job?.job_id).toBe('today');
  });

  it('cooldowns: cooldown_until is a local time too', () => {
    const rows = [
      job('blocked', 'a', { status: 'failed', attempts: 1, completed_at: '2025-12-14T10:00:00.5', error: 'Action blocked', error_type: 'action_blocked', error_category: 'account', extra: { [COOLDOWN_COLUMN]: '2025-12-14T11:00:00.500000' } }),
      job('next', 'a'),
    ];
    const tracker = new DayState(rows, { cap: 2 });
    expect(tracker.accountHold('a', ny(10, 59))).toEqual({ rule: 'cooling-down', until: ny(11, 0, 0, 500) });
    expect(tracker.claimNext(ctx(ny(11, 0, 0, 499)))?.job).toBeUndefined();
    expect(tracker.claimNext(ctx(ny(11, 0, 0, 500)))?.job?.job_id).toBe('next');
  });

  it('the latest freezing failure is found by instant when a file mixes both conventions', () => {
    const failed = (id: string, completedAt: string) => job(id, 'a', { status: 'failed', attempts: 1, completed_at: completedAt, error: 'Your account has been suspended', error_type: 'suspended', error_category: 'account' });
    // 10:00 local is 15:00Z, later than 14:00Z, though "2025-12-14T10…" sorts before "2025-12-14T14…" as text.
    const rows = [failed('utc', '2025-12-14T14:00:00.000Z'), failed('local', '2025-12-14T10:00:00.000001')];
    expect(frozenAccounts(rows, DEFAULT_HEALTH)[0]?.jobId).toBe('local');
    expect(frozenAccounts([...rows].reverse(), DEFAULT_HEALTH)[0]?.jobId).toBe('local');
  });
});

describe('writing in the local convention', () => {
  const naive = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$/;
  const local = { formatTime: localIsoTime };

  it('claim, success, failure, retry and cooldown write naive local times that mean the same instants', () => {
    const rows = [job('ok', 'a'), job('retry', 'b'), job('blocked', 'c')];
    const tracker = new DayState(rows, { cap: 1, ...local });
    const claimedAt = ny(9, 31, 2, 123);
    for (let i = 0; i < 3; i++) tracker.claimNext(ctx(claimedAt));
    const ok = tracker.succeed('ok', ny(9, 32));
    const retry = tracker.fail('retry', { now: ny(9, 33), failure: { message: 'adb timeout: device offline' }, retryDelayMs: 5 * MIN });
    const blocked = tracker.fail('blocked', { now: ny(9, 34), failure: { message: 'Action blocked. Try again later' }, retryDelayMs: 5 * MIN });

    expect(ok).toMatchObject({ claimed_at: '2025-12-14T09:31:02.123000', completed_at: '2025-12-14T09:32:00' });
    expect(retry).toMatchObject({ status: 'retrying', completed_at: '2025-12-14T09:33:00', retry_at: '2025-12-14T09:38:00' });
    expect(blocked.extra?.[COOLDOWN_COLUMN]).toBe('2025-12-14T10:34:00');
    for (const row of tracker.all()) {
      for (const text of [row.claimed_at, row.completed_at, row.retry_at, row.extra?.[COOLDOWN_COLUMN] ?? '']) if (text) expect(text).toMatch(naive);
    }
    expect(parseTime(retry.retry_at)).toBe(ny(9, 38));
  });

  it('a dead run\'s claim made unconfirmed, and verify\'s verdict, keep the convention', () => {
    const rows = [job('orphan', 'a', { status: 'claimed', worker_id: '2', claimed_at: '2025-12-14T09:00:00.000100' }), job('settled', 'b', { status: 'unconfirmed', claimed_at: '2025-12-14T09:00:00.000100' })];
    const tracker = new DayState(rows, local);
    expect(adoptOrphans(tracker, 'daycap-run', ny(9, 45))[0]).toMatchObject({ status: 'unconfirmed', completed_at: '2025-12-14T09:45:00' });
    expect(tracker.settle('settled', 'posted', ny(9, 46, 1, 5))).toMatchObject({ status: 'success', completed_at: '2025-12-14T09:46:01.005000' });
  });

  it('seeding writes a scheduler cooldown in the convention it is given', () => {
    const plan = planSeed({ existing: [], candidates: [{ job_id: 'v1', video_path: 'v1.mp4', caption: 'c' }], accounts: ['a'], cap: 1, cooldowns: new Map([['a', ny(12, 0)]]), formatTime: localIsoTime });
    expect(plan.jobs[0]?.extra?.[COOLDOWN_COLUMN]).toBe('2025-12-14T12:00:00');
  });

  it('an operator marking an unconfirmed job posted gets completed_at in the convention too', () => {
    const row = job('u', 'a', { status: 'unconfirmed', claimed_at: '2025-12-14T09:00:00.000100', completed_at: '2025-12-14T09:05:00' });
    const tracker = new DayState([row], local);
    const plan = mergeEdit({ base: [row], edited: [{ ...row, status: 'success' }], current: tracker, now: ny(9, 50), formatTime: tracker.formatTime });
    const { changed } = applyMergePlan(tracker, plan);
    expect(changed[0]).toMatchObject({ status: 'success', completed_at: '2025-12-14T09:50:00' });
  });

  it('without the option, a tracker writes UTC with Z as before', () => {
    const tracker = new DayState([job('ok', 'a')]);
    expect(tracker.claimNext(ctx(ny(9, 31)))?.job?.claimed_at).toBe('2025-12-14T14:31:00.000Z');
  });
});

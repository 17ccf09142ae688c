// Which of the run's events the night shift hears of, in what words, and how a burst becomes one call.
import { describe, expect, it } from 'vitest';
import type { RunEvent, RunEventName, RunEvents } from '../../src/runner/events.js';
import { coalesce, LONG_COOLDOWN_MS, MAX_LISTED, noticesOf, type Notice } from '../../src/runner/notices.js';
import { job, oneOfEach, T0, unconfirmed } from '../tui/model/events.js';

const event = <K extends RunEventName>(type: K, payload: RunEvents[K]): RunEvent => ({ type, ...payload }) as RunEvent;
const ended = (reason: RunEvents['run-ended']['reason'], exitCode: number, cause?: string): RunEvent =>
  event('run-ended', { ...oneOfEach()['run-ended'], reason, exitCode, ...(cause === undefined ? {} : { cause }) });

describe('noticesOf', () => {
  it('hears only the events that need a person', () => {
    const heard = Object.entries(oneOfEach()).filter(([type, payload]) => noticesOf(event(type as RunEventName, payload as never), {}).length > 0).map(([type]) => type);
    // The example cooldown is ten minutes and the example recovery settled everything: neither needs anyone.
    expect(heard.sort()).toEqual(['account-frozen', 'job-unconfirmed', 'run-ended']);
  });

  it('an account frozen: its account, the job that froze it, and how to lift it', () => {
    expect(noticesOf(event('account-frozen', { account: 'acct_a', jobId: 'j1', reason: 'account/suspended: Your account\nhas been suspended', at: T0 }), {})).toEqual([
      { event: 'account-frozen', account: 'acct_a', jobId: 'j1', message: 'account acct_a frozen for the day: account/suspended: Your account has been suspended (job j1); its jobs wait until `daycap unfreeze --account acct_a`' },
    ]);
  });

  it('a cooldown only when it is longer than an hour', () => {
    const cooling = (ms: number) => noticesOf(event('account-cooling', { account: 'acct_b', jobId: 'j3', until: T0 + ms, reason: 'rate_limited: too many requests', at: T0 }), {});
    expect(cooling(LONG_COOLDOWN_MS)).toEqual([]);
    expect(cooling(LONG_COOLDOWN_MS + 1000)).toEqual([
      { event: 'account-cooling', account: 'acct_b', jobId: 'j3', message: `account acct_b cooling down for 1:00:01, until ${new Date(T0 + LONG_COOLDOWN_MS + 1000).toISOString()}: rate_limited: too many requests (job j3)` },
    ]);
  });

  it('a job unconfirmed in the run, and those a dead run left that verify could not settle', () => {
    const [notice] = noticesOf(event('job-unconfirmed', unconfirmed(job('j7', 'acct_c'))), {});
    expect(notice).toMatchObject({ event: 'job-unconfirmed', account: 'acct_c', jobId: 'j7' });
    expect(notice!.message).toMatch(/^job j7 \(account acct_c\) unconfirmed: worker thread died mid-job; it may have posted/);
    const recovered = (unconfirmedJobs: number, posted: number, notPosted: number) => noticesOf(event('recovered', { unconfirmed: unconfirmedJobs, posted, notPosted, unknown: unconfirmedJobs - posted - notPosted, journalRecords: 0, at: T0 }), {});
    expect(recovered(3, 2, 1)).toEqual([]);
    expect(recovered(5, 2, 1)).toEqual([{ event: 'job-unconfirmed', message: expect.stringMatching(/^2 jobs left unconfirmed by an earlier run \(verify: 2 posted, 1 not posted, 2 unknown\)/) }]);
  });

  it("the run's end, with its counts and exit code; a storage failure or a lost lock first, with its cause", () => {
    expect(noticesOf(ended('done', 0), {})).toEqual([{ event: 'run-ended', exitCode: 0, message: expect.stringMatching(/^run r1 ended \(done\) after 0:01: 3 success, 0 failed.*; exit code 0$/) }]);
    expect(noticesOf(ended('interrupted', 130), {}).map((n) => n.event)).toEqual(['run-ended']);
    expect(noticesOf(ended('storage-failed', 5, 'could not write the journal: ENOSPC'), {})).toEqual([
      { event: 'storage-failed', exitCode: 5, message: 'storage failed: could not write the journal: ENOSPC; the run stopped and nothing more was written (exit code 5)' },
      { event: 'run-ended', exitCode: 5, message: expect.stringContaining('exit code 5') },
    ]);
    expect(noticesOf(ended('lock-lost', 5, 'the lock on ledger x was lost'), {})[0]).toEqual({ event: 'lock-lost', exitCode: 5, message: "the ledger's lock was lost: the lock on ledger x was lost; the run stopped and nothing more was written (exit code 5)" });
  });
});

describe('coalesce', () => {
  const frozen = (i: number, account = `acct_${i}`): Notice => ({ event: 'account-frozen', account, jobId: `j${i}`, message: `account ${account} frozen (${i})` });

  it('one notice is itself', () => {
    expect(coalesce([frozen(1)])).toEqual(frozen(1));
  });

  it('many are one message listing the first ones and counting the rest; shared fields are kept, others dropped', () => {
    const many = Array.from({ length: MAX_LISTED }, (_, i) => frozen(i, 'acct_same'));
    const one = coalesce(many, 90);
    expect(one.event).toBe('account-frozen');
    expect(one.message.split('\n')).toEqual([`100 account-frozen notices:`, ...many.map((n) => n.message), '… and 90 more']);
    expect(one).not.toHaveProperty('account');
    expect(coalesce([frozen(1, 'acct_same'), frozen(2, 'acct_same')])).toMatchObject({ account: 'acct_same', message: '2 account-frozen notices:\naccount acct_same frozen (1)\naccount acct_same frozen (2)' });
    expect(coalesce([frozen(1, 'acct_same'), frozen(2, 'acct_same')])).not.toHaveProperty('jobId');
  });
});

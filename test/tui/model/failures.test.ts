import { describe, expect, it } from 'vitest';
import { failuresReducer as on, failureTallies, newFailures } from '../../../src/tui/model/failures.js';
import { newHistory } from '../../../src/tui/model/history.js';
import { failed, job, retrying, T0, unconfirmed } from './events.js';

describe('failures: lines, tallies and what they leave on an account', () => {
  it('makes a line per failed attempt, with its kind, attempts and retry time; unconfirmed jobs have no error type', () => {
    const f = newFailures(newHistory());
    const a = job('a', 'x', { video_path: 'clips/a.mp4' });
    on['job-retrying'](f, retrying(a, 1, T0, 'infrastructure', 'adb_timeout', 'adb\ntimeout'));
    on['job-unconfirmed'](f, unconfirmed(job('b', 'y'), 0, T0 + 1));
    expect(f.history.failures).toEqual([
      { seq: 1, at: T0, jobId: 'a', account: 'x', video: 'a.mp4', workerId: 1, outcome: 'retrying', category: 'infrastructure', type: 'adb_timeout', message: 'adb timeout', attempts: 1, maxAttempts: a.max_attempts, retryAt: T0 + 300_000 },
      expect.objectContaining({ seq: 2, outcome: 'unconfirmed', category: 'unconfirmed', type: '', message: 'worker thread died mid-job' }),
    ]);
    expect(f.history.failureCount).toBe(2);
    // An unconfirmed job is not a failed attempt: it may have been posted.
    expect(f.failedAttempts).toBe(1);
  });

  it('tallies by category/type, most frequent first; a row without a category is unknown', () => {
    const f = newFailures(newHistory());
    on['job-failed'](f, failed(job('a', 'x'), 0, T0, 'account', 'suspended', 'suspended'));
    on['job-retrying'](f, retrying(job('b', 'y')));
    on['job-failed'](f, failed(job('c', 'z')));
    on['job-failed'](f, failed(job('d', 'z'), 0, T0, '', '', 'what happened'));
    expect(failureTallies(f)).toEqual([
      { category: 'infrastructure', type: 'adb_timeout', final: 1, retried: 1, unconfirmed: 0 },
      { category: 'account', type: 'suspended', final: 1, retried: 0, unconfirmed: 0 },
      { category: 'unknown', type: 'unknown', final: 1, retried: 0, unconfirmed: 0 },
    ]);
  });

  it('keeps each account last error, and counts accounts whose last failure was an account error', () => {
    const f = newFailures(newHistory());
    on['job-failed'](f, failed(job('a', 'x'), 0, T0, 'account', 'logged_out', 'logged out'));
    expect(f.withAccountErrors).toBe(1);
    on['job-unconfirmed'](f, unconfirmed(job('b', 'x'), 0, T0 + 5));
    expect(f.trouble.get('x')).toEqual({ failures: 2, lastError: 'unconfirmed: worker thread died mid-job', lastErrorAt: T0 + 5, accountError: false });
    expect(f.withAccountErrors).toBe(0);
  });
});

// The seed system's older ledger layouts, as its progress_tracker.py wrote them over time (csv.DictWriter,
// CRLF): 13 columns ending in error_type, 15 (error_category, pass_number), 16 with run_id or with a
// platform column. Its older trackers recorded only error_type, in older spellings (actionblocked,
// loggedout, captcha); some rows only the error text.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { classOfRecordedFailure } from '../../src/core/classify.js';
import { frozenAccounts } from '../../src/core/health.js';
import { DEFAULT_HEALTH } from '../../src/core/policy.js';
import { summarize } from '../../src/core/summary.js';
import { DayState } from '../../src/core/day-state.js';
import { retryFailed } from '../../src/core/operator-actions.js';
import { InputError } from '../../src/errors.js';
import { parseLedger, serializeLedger } from '../../src/ledger/codec.js';

const fixture = (name: string): string => join(import.meta.dirname, '../../fixtures/seed-system/ledgers', name);
const VARIANTS = [
  ['progress-13col.csv', []],
  ['progress-15col.csv', []],
  ['progress-16col.csv', []],
  ['progress-16col-platform.csv', ['platform']],
] as const;

/** What each older row reads as: its category from its type (older spellings too), or from its text. */
const READ_AS = {
  'DJxE_WltdUR-1': 'account/action_blocked',
  'DK3REr1oC0r-1': 'account/suspended',
  'DPCbKmCiLQS-1': 'account/logged_out',
  'DRVP8nGEUxg-1': 'infrastructure/claude_stuck',
  'DQckPhJkQpL-2': 'account/verification',
};

describe.each(VARIANTS)('the seed system\'s %s', (name, extraColumns) => {
  const read = async () => parseLedger(await readFile(fixture(name)), name);

  it('is read by header name, CRLF and all; unknown columns are kept as extra columns', async () => {
    const parsed = await read();
    expect(parsed.extraColumns).toEqual(extraColumns);
    expect(parsed.jobs[0]).toMatchObject({ job_id: 'DMNmeE-oIXY-1', account: 'quickcutspod', status: 'success', video_path: 'chunk_01c\\2bears.1cave\\DMNmeE-oIXY-1.mp4' });
    if (extraColumns.length > 0) expect(parsed.jobs.every((job) => job.extra?.['platform'] === 'instagram')).toBe(true);
  });

  it('gives each failure recorded with only error_type (or only the text) its category, with the seed system\'s table', async () => {
    const failures = Object.fromEntries((await read()).jobs.filter((job) => job.job_id in READ_AS).map((job) => [job.job_id, `${job.error_category}/${job.error_type}`]));
    expect(failures).toEqual(READ_AS);
  });

  it('freezes the suspended, logged-out and captcha accounts; retry-failed revives only the infrastructure failure; status counts by category', async () => {
    const { jobs } = await read();
    expect(frozenAccounts(jobs, DEFAULT_HEALTH).map((frozen) => frozen.account).sort()).toEqual(['bitecastclips', 'micwisdomdaily', 'mindsetmiccuts']);
    const infrastructure = jobs.filter((job) => job.status === 'failed' && job.error_category === 'infrastructure').map((job) => job.job_id);
    expect(infrastructure).toContain('DRVP8nGEUxg-1');
    const tracker = new DayState(jobs, { cap: 1 });
    expect(retryFailed(tracker).map((job) => job.job_id)).toEqual(infrastructure);
    const summary = summarize(jobs, 1, Date.parse('2025-12-14T00:00:00Z'));
    expect(Object.fromEntries(summary.failures.map((f) => [`${f.category}/${f.type}`, f.count]))).toMatchObject({
      'account/suspended': 1, 'account/action_blocked': 1, 'account/logged_out': 1, 'account/verification': 1, 'infrastructure/claude_stuck': 1,
    });
  });

  it('writes the categories back (17 columns, then its own extra columns) and reads the same jobs again', async () => {
    const parsed = await read();
    const text = serializeLedger(parsed.jobs, parsed.extraColumns);
    expect(text.split('\n')[0]).toBe(`job_id,account,video_path,caption,status,worker_id,claimed_at,completed_at,error,attempts,max_attempts,retry_at,error_type,error_category,pass_number,run_id,video_id${extraColumns.map((c) => `,${c}`).join('')}`);
    expect(parseLedger(text, name).jobs).toEqual(parsed.jobs);
  });
});

describe('classOfRecordedFailure', () => {
  const row = (fields: Partial<{ status: string; error: string; error_type: string; error_category: string }>) => ({ status: 'failed', error: '', error_type: '', error_category: '', ...fields });

  it.each([
    ['suspended', '', 'account', 'suspended'],
    ['actionblocked', 'whatever', 'account', 'action_blocked'],
    ['Action Blocked', '', 'account', 'action_blocked'],
    ['loggedout', '', 'account', 'logged_out'],
    ['captcha', '', 'account', 'verification'],
    ['banned', '', 'account', 'banned'],
    ['adb_timeout', '', 'infrastructure', 'adb_timeout'],
    ['', 'Your account has been suspended', 'account', 'suspended'],
    ['', 'Device offline', 'infrastructure', 'adb_timeout'],
    ['stale_claim', 'Stale claim - max attempts reached', 'unknown', 'stale_claim'],
    ['stale_claim', 'we disabled your account', 'account', 'stale_claim'],
    ['', 'something new', 'unknown', 'unknown'],
  ])('type %j with error %j reads as %s/%s', (error_type, error, category, type) => {
    expect(classOfRecordedFailure(row({ error_type, error }))).toEqual({ category, type });
    expect(classOfRecordedFailure(row({ status: 'retrying', error_type, error }))).toEqual({ category, type });
  });

  it('leaves alone a row that records a category, is not a failure, or says nothing', () => {
    expect(classOfRecordedFailure(row({ error_type: 'suspended', error_category: 'unknown' }))).toBeUndefined();
    expect(classOfRecordedFailure(row({ status: 'success', error_type: 'suspended' }))).toBeUndefined();
    expect(classOfRecordedFailure(row({ status: 'pending', error: 'suspended' }))).toBeUndefined();
    expect(classOfRecordedFailure(row({}))).toBeUndefined();
    expect(classOfRecordedFailure(row({ error_type: 'constructor' }))).toEqual({ category: 'unknown', type: 'constructor' });
  });
});

describe('NUL bytes in a ledger are damage', () => {
  const header = 'job_id,account,video_path,caption,status,worker_id,claimed_at,completed_at,error\r\n';

  it.each([
    ['a zero-filled tail', Buffer.concat([Buffer.from(`${header}a,acct,v.mp4,c,success,,,,\r\n`), Buffer.alloc(100)]), 3, 1, 'holds 100 NUL bytes at offset'],
    ['one NUL inside a caption', Buffer.from(`${header}a,acct,v.mp4,"cap\0tion",success,,,,\r\n`), 2, 18, 'holds a NUL byte at offset'],
  ])('%s: LEDGER_PARSE naming the line and column', (_what, bytes, line, column, says) => {
    let error: unknown;
    try {
      parseLedger(bytes, 'progress.csv');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('LEDGER_PARSE');
    expect((error as InputError).position).toEqual({ file: 'progress.csv', line, column });
    expect((error as InputError).message).toContain(says);
  });
});

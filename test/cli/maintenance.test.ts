// retry-failed and release-stale: the operator's morning fixes.
import { describe, expect, it } from 'vitest';
import { daycap } from '../helpers/cli.js';
import { copyFixture, tempDir } from '../helpers/files.js';
import { statuses, writeLedgerRows } from '../helpers/ledgers.js';

describe('daycap retry-failed', () => {
  it('retries infrastructure failures but skips account and content failures', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/failures.csv', dir, 'progress.csv');
    const result = await daycap(['retry-failed', '--ledger', ledger], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('1 failed job put back to pending: adb-1');
    expect(result.stdout).toContain('2 jobs left failed');
    expect(result.stdout).toContain('--include-non-retryable');
    expect(await statuses(ledger)).toEqual({ 'ok-1': 'success', 'susp-1': 'failed', 'adb-1': 'pending', 'moov-1': 'failed' });
  });

  it('--include-non-retryable retries account and content failures too', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/failures.csv', dir, 'progress.csv');
    const result = await daycap(['retry-failed', '--ledger', ledger, '--include-non-retryable'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('3 failed jobs put back to pending: susp-1, adb-1, moov-1');
    expect(await statuses(ledger)).toEqual({ 'ok-1': 'success', 'susp-1': 'pending', 'adb-1': 'pending', 'moov-1': 'pending' });
  });

  it('--category and --type pick which failures', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/failures.csv', dir, 'progress.csv');
    const result = await daycap(['retry-failed', '--ledger', ledger, '--category', 'account', '--type', 'suspended'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(await statuses(ledger)).toEqual({ 'ok-1': 'success', 'susp-1': 'pending', 'adb-1': 'failed', 'moov-1': 'failed' });
  });
});

describe('daycap release-stale', () => {
  it('--older-than releases only claims that old; unconfirmed jobs are always released', async () => {
    const dir = tempDir();
    const fiveMinutesAgo = new Date(Date.now() - 5 * 60_000).toISOString();
    const anHourAgo = new Date(Date.now() - 60 * 60_000).toISOString();
    const ledger = writeLedgerRows(dir, [
      `recent,acct_1,v/recent.mp4,claimed 5 minutes ago,claimed,0,${fiveMinutesAgo},,,0,3,,,,1,dead01,`,
      `old,acct_2,v/old.mp4,claimed an hour ago,claimed,1,${anHourAgo},,,0,3,,,,1,dead01,`,
      `unsure,acct_3,v/unsure.mp4,in flight when a run died,unconfirmed,2,${fiveMinutesAgo},${fiveMinutesAgo},may have posted,0,3,,,,1,dead02,`,
    ]);
    const result = await daycap(['release-stale', '--ledger', ledger, '--older-than', '10m'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^2 jobs released to pending: (old, unsure|unsure, old)$/m);
    expect(await statuses(ledger)).toEqual({ recent: 'claimed', old: 'pending', unsure: 'pending' });

    const rest = await daycap(['release-stale', '--ledger', ledger], { cwd: dir });
    expect(rest.stdout).toContain('1 job released to pending: recent');
  });

  it('lists at most 20 ids', async () => {
    const dir = tempDir();
    const rows = Array.from({ length: 25 }, (_, i) => `u${String(i).padStart(2, '0')},acct_${i},v/${i}.mp4,c,unconfirmed,0,2025-12-14T08:00:00.000Z,2025-12-14T08:00:01.000Z,,0,3,,,,1,dead01,`);
    const ledger = writeLedgerRows(dir, rows);
    const result = await daycap(['release-stale', '--ledger', ledger], { cwd: dir });
    expect(result.stdout).toContain('25 jobs released to pending: u00, u01');
    expect(result.stdout).toContain('u19, … and 5 more');
    expect(result.stdout).not.toContain('u20');
  });
});

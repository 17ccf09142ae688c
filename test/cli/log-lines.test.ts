// The log lines an operator greps for, worded as the seed system wrote them (docs/migrating.md).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daycap } from '../helpers/cli.js';
import { copyFixture, fixture, tempDir } from '../helpers/files.js';
import { readRows, statuses, writeVideosOf } from '../helpers/ledgers.js';

describe('log lines', () => {
  it('run: "Skipping job X - account Y at daily limit of N" on stdout, and the job is not run', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/account-at-cap.csv', dir, 'progress.csv');
    writeVideosOf(ledger);
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'simulate'], { cwd: dir });
    expect(result.stdout).toContain('Skipping job next-a-2 - account account_a at daily limit of 1');
    expect(await statuses(ledger)).toEqual({ 'done-a-1': 'success', 'next-a-2': 'pending', 'first-b-1': 'success' });
    expect(result.code).toBe(4); // next-a-2 is left for another day
  });

  it('run --cap 2: the same job is claimed, no skip line', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/account-at-cap.csv', dir, 'progress.csv');
    writeVideosOf(ledger);
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--cap', '2'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('Skipping job');
    expect(result.stdout).toContain('claimed job next-a-2 (account: account_a)');
  });

  it('seed: "excluded N with existing jobs" when an account already has a pending job', async () => {
    const dir = tempDir();
    const ledger = join(dir, 'progress.csv');
    expect((await daycap(['seed', '--ledger', ledger, '--state', fixture('cli/states/one-job-account-a.json')], { cwd: dir })).code).toBe(0);
    const result = await daycap(['seed', '--ledger', ledger, '--state', fixture('cli/states/new-batch-a-and-b.json')], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Available accounts: 1 (excluded 1 with existing jobs)');
    expect(result.stdout).toMatch(/added 2 jobs .*\(1 without an account/);
  });

  it('seed: a failed job does not block its account, a success does, and so does a freeze', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/failures.csv', dir, 'progress.csv');
    const accounts = join(dir, 'accounts.txt');
    await writeFile(accounts, '# acct_ok posted today; acct_adb only failed; acct_susp was suspended (frozen)\nacct_ok\nacct_adb\nacct_susp\n');
    const result = await daycap(['seed', '--ledger', ledger, '--campaign', fixture('campaigns/spring'), '--accounts', accounts], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Available accounts: 1 (excluded 2 with existing jobs)');
    const pending = (await readRows(ledger)).filter((row) => row['status'] === 'pending').map((row) => row['account']);
    expect(pending).toContain('acct_adb');
    expect(pending).not.toContain('acct_ok');
    expect(pending).not.toContain('acct_susp');
  });
});

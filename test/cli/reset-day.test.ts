import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daycap } from '../helpers/cli.js';
import { bytes, copyFixture, fixture, listTree, tempDir } from '../helpers/files.js';
import { todayStamp } from '../helpers/ledgers.js';

describe('daycap reset-day', () => {
  it('twice on the same day gives _YYYYMMDD.csv then _YYYYMMDD_1.csv, each the ledger as it was', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/failures.csv', dir, 'progress.csv');
    const first = await bytes(ledger);
    const one = await daycap(['reset-day', '--ledger', ledger], { cwd: dir });
    expect(one.code, one.stderr).toBe(0);
    const archive = join(dir, `progress_${todayStamp()}.csv`);
    expect(one.stdout).toContain(archive);
    expect(await bytes(archive)).toEqual(first);
    expect(listTree(dir)).not.toContain('progress.csv');

    copyFixture('cli/ledgers/account-at-cap.csv', dir, 'progress.csv');
    const second = await bytes(ledger);
    const two = await daycap(['reset-day', '--ledger', ledger], { cwd: dir });
    expect(two.code, two.stderr).toBe(0);
    expect(await bytes(join(dir, `progress_${todayStamp()}_1.csv`))).toEqual(second);
    expect(await bytes(archive)).toEqual(first);
  });

  it('--archive-dir puts the archive there', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/failures.csv', dir, 'progress.csv');
    await mkdir(join(dir, 'archive'));
    const result = await daycap(['reset-day', '--ledger', ledger, '--archive-dir', join(dir, 'archive')], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(await bytes(join(dir, 'archive', `progress_${todayStamp()}.csv`))).toEqual(await bytes(fixture('cli/ledgers/failures.csv')));
  });

  it('archives a corrupt ledger unchanged: the way out of a bad file', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/garbage.csv', dir, 'progress.csv');
    const result = await daycap(['reset-day', '--ledger', ledger], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('was invalid');
    expect(await bytes(join(dir, `progress_${todayStamp()}.csv`))).toEqual(await bytes(fixture('cli/ledgers/garbage.csv')));
  });

  it('with no ledger there is nothing to archive, and it says so', async () => {
    const dir = tempDir();
    const result = await daycap(['reset-day', '--ledger', 'progress.csv'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('nothing to archive');
  });
});

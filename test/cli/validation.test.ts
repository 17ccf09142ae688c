// Seed test strategy section 3: validation never deletes, never rewrites; commands refuse an invalid ledger.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytes, copyFixture, daycap, fixture, hasStack, listTree, tempDir } from './helpers.js';

describe('a header-only ledger (seed section 3, "empty file is NOT deleted")', () => {
  it.each([
    ['status', []],
    ['run', ['--handler', 'simulate']],
    ['validate', []],
    ['retry-failed', []],
    ['release-stale', []],
    ['seed', ['--state', fixture('cli/states/one-job-account-a.json')]],
  ])('%s reports VALIDATION FAILED with the action, exits non-zero, and leaves the file byte-identical', async (command, extra) => {
    const dir = await tempDir();
    const ledger = await copyFixture('cli/ledgers/header-only.csv', dir, 'parallel_progress.csv');
    const original = await bytes(ledger);
    const result = await daycap([command, '--ledger', ledger, ...extra], { cwd: dir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('VALIDATION FAILED');
    expect(result.stderr).toContain('ACTION REQUIRED');
    expect(result.stderr).toContain('daycap reset-day --ledger');
    expect(hasStack(result.stderr)).toBe(false);
    expect(result.stdout).not.toMatch(/claimed job|run \w+ started/);
    expect(await bytes(ledger)).toEqual(original);
  });
});

describe('a corrupt ledger (seed section 3, "corrupt file is NOT deleted")', () => {
  it('validate returns non-zero and the file is byte-identical', async () => {
    const dir = await tempDir();
    const ledger = await copyFixture('cli/ledgers/garbage.csv', dir, 'parallel_progress.csv');
    const original = await bytes(ledger);
    const result = await daycap(['validate', '--ledger', ledger], { cwd: dir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('VALIDATION FAILED');
    expect(result.stderr).toContain('ACTION REQUIRED');
    expect(hasStack(result.stderr)).toBe(false);
    expect(await bytes(ledger)).toEqual(original);
  });

  it('a 0-byte ledger and an unclosed quote are invalid too, and left as they are', async () => {
    const dir = await tempDir();
    for (const [name, text] of [['empty.csv', ''], ['quote.csv', 'job_id,account,video_path,caption,status,worker_id,claimed_at,completed_at,error\nj1,a,v.mp4,"never closed,pending,,,,\n']] as const) {
      const ledger = join(dir, name);
      await writeFile(ledger, text);
      const result = await daycap(['validate', '--ledger', ledger], { cwd: dir });
      expect(result.code, name).toBe(2);
      expect(result.stderr).toContain('VALIDATION FAILED');
      expect((await bytes(ledger)).toString()).toBe(text);
    }
  });
});

describe('daycap validate on a good ledger', () => {
  it('says it is valid with the job count, exits 0, and writes nothing at all', async () => {
    const dir = await tempDir();
    const ledger = await copyFixture('cli/ledgers/account-at-cap.csv', dir, 'progress.csv');
    const original = await bytes(ledger);
    const before = await listTree(dir);
    const result = await daycap(['validate', '--ledger', ledger], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`ledger ${ledger} is valid (3 jobs)`);
    expect(await bytes(ledger)).toEqual(original);
    expect(await listTree(dir)).toEqual(before);
  });
});

import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daycap } from '../helpers/cli.js';
import { listTree, tempDir } from '../helpers/files.js';
import { readRows } from '../helpers/ledgers.js';

describe('daycap demo', () => {
  it('--dir: creates the campaign, runs it to the end with exit 0, and leaves a valid ledger', async () => {
    const dir = tempDir();
    const demo = join(dir, 'd');
    const result = await daycap(['demo', '--dir', demo], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Available accounts: 8 \(excluded 0 with existing jobs\)/);
    // 24 videos, 8 accounts, cap 1: as in the seed system, the other 16 wait for another day rather than becoming rows.
    expect(result.stdout).toContain('16 videos wait for another day (no free account under the cap)');
    expect(result.stdout).toMatch(/run \w+ started/);
    expect(result.stdout).toMatch(/run \w+ ended \(done\)/);
    expect(result.stdout).toContain('What to try next');
    expect(result.stdout).toContain('daycap status --ledger');

    const accounts = (await readFile(join(demo, 'accounts.txt'), 'utf8')).split('\n');
    expect(accounts[0]).toMatch(/^#/);
    expect(accounts.filter((line) => line && !line.startsWith('#'))).toHaveLength(8);
    const videos = listTree(join(demo, 'videos')).filter((name) => name.endsWith('.mp4'));
    expect(videos).toHaveLength(24);

    const validated = await daycap(['validate', '--ledger', join(demo, 'progress.csv')], { cwd: dir });
    expect(validated.code).toBe(0);
    expect(validated.stdout).toContain('is valid (8 jobs)');
    const rows = await readRows(join(demo, 'progress.csv'));
    // Cap 1: no account has more than one job that counts toward the cap.
    const counted = rows.filter((row) => ['success', 'claimed', 'unconfirmed'].includes(row['status']!)).map((row) => row['account']);
    expect(new Set(counted).size).toBe(counted.length);
    expect(rows.some((row) => row['caption']!.includes('\n'))).toBe(true);
    expect(rows.some((row) => row['caption']!.includes('"') && row['caption']!.includes(','))).toBe(true);
  });

  it('without --dir: never reuses an existing folder, takes daycap-demo-1 when daycap-demo exists', async () => {
    const dir = tempDir();
    await mkdir(join(dir, 'daycap-demo'));
    const result = await daycap(['demo'], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('./daycap-demo-1');
    expect(await readdir(join(dir, 'daycap-demo'))).toEqual([]);
    expect(await readdir(join(dir, 'daycap-demo-1'))).toEqual(expect.arrayContaining(['accounts.txt', 'captions.csv', 'videos', 'progress.csv']));
  });

  it('--dir that exists and is not empty is refused, and nothing is written', async () => {
    const dir = tempDir();
    await mkdir(join(dir, 'mine'));
    await writeFile(join(dir, 'mine', 'notes.txt'), 'keep me');
    const result = await daycap(['demo', '--dir', join(dir, 'mine')], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not empty');
    expect(await readdir(join(dir, 'mine'))).toEqual(['notes.txt']);
  });
});

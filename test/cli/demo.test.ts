import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daycap } from '../helpers/cli.js';
import { listTree, tempDir } from '../helpers/files.js';
import { readRows } from '../helpers/ledgers.js';
import { createDemoCampaign, demoRunOptions } from '../../src/api/demo.js';

describe('daycap demo', () => {
  it('--dir: creates the campaign, runs it to the end with exit 0, and leaves a valid ledger', async () => {
    const dir = tempDir();
    const demo = join(dir, 'd');
    const result = await daycap(['demo', '--dir', demo, '--fast'], { cwd: dir });
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
    const result = await daycap(['demo', '--fast'], { cwd: dir });
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

  it('prints its own text within 80 columns: what it made, how it runs, and the closing text after the run', async () => {
    const dir = tempDir();
    const result = await daycap(['demo', '--fast', '--no-tui'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    const runStarted = lines.findIndex((line) => / run \w+ started: /.test(line));
    const runEnded = lines.findIndex((line) => / run \w+ ended \(done\)/.test(line));
    expect(runStarted).toBeGreaterThan(0);
    expect(runEnded).toBeGreaterThan(runStarted);
    // The log lines between are the run's own, as `daycap run` writes them; the rest is the demo's.
    const own = [...lines.slice(0, runStarted), ...lines.slice(runEnded + 1)];
    for (const line of own) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(lines.slice(runEnded + 1).join('\n')).toContain('What to try next:\n  daycap status --ledger ./daycap-demo/progress.csv\n      counts, failures by category');
    // It shows the command it runs, which a developer can copy: the simulator shaped as the demo shapes it.
    expect(result.stdout).toContain("--handler 'simulate:latency=0.1s-0.5s,fail=0.35,retry-after=1s-2s,seed=28' \\\n    --workers 4 --cap 1 --retry-delay 1s");
    expect(result.stdout).toMatch(/account \S+ FROZEN for the day/);
    expect(result.stdout).toMatch(/cooling down until .*too many requests \(HTTP 429\)/);
  });

  it('by default goes at a pace to watch: posts of seconds, retries seconds later', async () => {
    const campaign = await createDemoCampaign(undefined, { cwd: tempDir() });
    const options = demoRunOptions(campaign);
    expect(options.handler).toEqual({ kind: 'simulate', seed: 28, options: { minLatencyMs: 2000, maxLatencyMs: 6000, failRate: 0.35, minRetryAfterMs: 5000, maxRetryAfterMs: 10_000 } });
    expect(options.retryDelayMs).toBe(6000);
    expect(demoRunOptions(campaign, 'fast').handler).toMatchObject({ options: { minLatencyMs: 100, maxLatencyMs: 500 } });
  });
});

// `--handler 'simulate:…'` as a developer rehearses concurrency with it: the real binary, real threads.
import { describe, expect, it } from 'vitest';
import { daycap, hasStack } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { readRows, writeLedger } from '../helpers/ledgers.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** `n` pending jobs, one account each, with their videos. */
function day(n: number): { dir: string; ledger: string } {
  const dir = tempDir();
  return { dir, ledger: writeLedger(dir, gridJobs(n, 1, {}, { videosIn: dir })) };
}

describe("--handler 'simulate:…'", () => {
  it('`daycap run --help` shows the syntax', async () => {
    const help = await daycap(['run', '--help'], { cwd: tempDir() });
    expect(help.stdout).toContain("--handler 'simulate:latency=200ms-2s,fail=0.1,crash=0.01,seed=7'");
    for (const key of ['latency=<d> or <d>-<d>', 'fail=<rate>', 'retry-after=<d>-<d>', 'crash=<rate>', 'seed=<n>']) expect(help.stdout).toContain(key);
  });

  it.each([
    ['simulate:latency=2s-200ms', '"latency=2s-200ms": the range ends (200ms) before it starts (2s)'],
    ['simulate:fail=1.5', '"fail=1.5": expected a rate from 0 to 1'],
    ['simulate:crash=0.1,speed=3', '"speed=3": unknown key'],
    ['simulate:seed=seven', 'the seed must be an integer'],
  ])('refuses %s with exit 2, naming the bad part, before the ledger is touched', async (handler, problem) => {
    const { dir, ledger } = day(1);
    const result = await daycap(['run', '--ledger', ledger, '--handler', handler], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(problem);
    expect(result.stderr).toContain('see `daycap run --help`');
    expect(hasStack(result.stderr)).toBe(false);
    expect(existsSync(join(dir, '.progress.csv.daycap'))).toBe(false);
  });

  it('fail=… gives the realistic mix of failures, rate limits with their retry-after among them', async () => {
    const { dir, ledger } = day(60);
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'simulate:fail=0.6,latency=1ms-5ms,retry-after=1s-2s,seed=11', '--workers', '3', '--max-passes', '1', '--no-tui'], { cwd: dir });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stdout).toMatch(/handler simulate \(seed 11, latency 1-5ms, fail 0\.6\)/);
    const rows = await readRows(ledger);
    const categories = new Set(rows.filter((row) => row['status'] !== 'success').map((row) => row['error_category']));
    expect([...categories].sort()).toEqual(['account', 'content', 'infrastructure', 'rate_limit', 'unknown']);
    // A rate limit cools its account down until the wait it asked for.
    for (const row of rows.filter((r) => r['error_category'] === 'rate_limit')) {
      const waited = Date.parse(row['cooldown_until']!) - Date.parse(row['completed_at']!);
      expect(waited).toBeGreaterThanOrEqual(1000);
      expect(waited).toBeLessThanOrEqual(2000);
    }
    expect(rows.filter((row) => row['status'] === 'success').length).toBeGreaterThan(10);
  });

  it('crash=… kills worker threads mid-job; running again, verify settles every unconfirmed job and the day ends all success', async () => {
    const { dir, ledger } = day(40);
    const run = () => daycap(['run', '--ledger', ledger, '--handler', 'simulate:latency=5ms-40ms,crash=0.2,seed=5', '--workers', '4', '--no-tui'], { cwd: dir });
    const first = await run();
    expect(first.code, first.stderr).toBe(4);
    expect(first.stdout).toMatch(/worker \d died: worker exited with code: 70; starting a new thread/);
    expect(first.stdout).toMatch(/UNCONFIRMED \(account: acct\d+\): worker thread died mid-job/);
    const unconfirmed = (await readRows(ledger)).filter((row) => row['status'] === 'unconfirmed').length;
    expect(unconfirmed).toBeGreaterThan(0);

    // Each later run starts by asking verify about the jobs its predecessor left unconfirmed. A job
    // verify finds not posted runs again, and may crash again (less and less often).
    let last = first;
    const recovered: string[] = [];
    for (let i = 0; i < 8 && last.code !== 0; i++) {
      last = await run();
      recovered.push(/recovered: .*/.exec(last.stdout)?.[0] ?? '');
    }
    expect(last.code, last.stdout + last.stderr).toBe(0);
    expect(recovered[0]).toMatch(new RegExp(`recovered: ${unconfirmed} unconfirmed .*verify: \\d+ posted, \\d+ not posted, 0 unknown`));
    const rows = await readRows(ledger);
    expect(rows.every((row) => row['status'] === 'success')).toBe(true);
    // A post verify found keeps its id, as a post reported by its worker does.
    for (const row of rows) expect(row['video_id']).toMatch(/^sim-[0-9a-f]{8}$/);
  });
});

/**
 * The daily cap recorded on a file ledger (docs/configuration.md, "Which cap applies"): a seed or run
 * given a cap records it; every later command without one uses it. Through the built binary.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capPath, stateDir } from '../../src/ledger/paths.js';
import { daycap } from '../helpers/cli.js';
import { fileTree, fixture, tempDir, treeDiff } from '../helpers/files.js';
import { statuses } from '../helpers/ledgers.js';

const CAMPAIGN = fixture('campaigns/spring');

/** The spring campaign's four videos seeded for two accounts with `cap` (two jobs each at cap 2). */
async function seededDay(seedArgs: readonly string[] = ['--cap', '2'], added = 4): Promise<{ dir: string; ledger: string }> {
  const dir = tempDir();
  const ledger = join(dir, 'progress.csv');
  const accounts = join(dir, 'accounts.txt');
  writeFileSync(accounts, 'bloomdaily\ngreenthumb_tv\n');
  const seed = await daycap(['seed', '--ledger', ledger, '--campaign', CAMPAIGN, '--accounts', accounts, ...seedArgs], { cwd: dir });
  expect(seed.code, seed.stderr).toBe(0);
  expect(seed.stdout).toContain(`added ${added} jobs`);
  return { dir, ledger };
}

function recorded(ledger: string): unknown {
  return JSON.parse(readFileSync(capPath(ledger), 'utf8'));
}

describe('the cap recorded on a file ledger', () => {
  it('seed --cap 2, then run without --cap posts both jobs of each account; status, validate and check raise no false alarm', async () => {
    const { dir, ledger } = await seededDay();
    expect(recorded(ledger)).toEqual({ cap: 2 });
    const run = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--no-tui'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('cap 2/account/day');
    expect(run.stdout).not.toMatch(/Skipping job|cap was/);
    expect(Object.values(await statuses(ledger))).toEqual(['success', 'success', 'success', 'success']);

    const before = fileTree(dir);
    const status = await daycap(['status', '--ledger', ledger], { cwd: dir });
    expect(status.stdout).toContain('4 jobs over 2 accounts, cap 2/account/day');
    expect(JSON.parse((await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir })).stdout)).toMatchObject({ cap: 2, capExceeded: [] });
    const validate = await daycap(['validate', '--ledger', ledger], { cwd: dir });
    const check = await daycap(['check', '--ledger', ledger], { cwd: dir });
    for (const result of [status, validate, check]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout + result.stderr).not.toContain('cap exceeded');
    }
    // Reading commands never write, the record included.
    expect(treeDiff(before, fileTree(dir))).toEqual([]);
    // An explicit cap on a reading command applies to it alone.
    expect((await daycap(['validate', '--ledger', ledger, '--cap', '1'], { cwd: dir })).stdout).toContain('cap exceeded');
    expect(recorded(ledger)).toEqual({ cap: 2 });
  });

  it('a later explicit cap wins, is said in one line and recorded; a flag beats the configuration file, which beats the record', async () => {
    const { dir, ledger } = await seededDay();
    const run = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--no-tui', '--cap', '3'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.match(/cap was/g)).toHaveLength(1);
    expect(run.stdout).toContain("warning: the ledger's cap was 2; this run uses 3 (and records it)");
    expect(recorded(ledger)).toEqual({ cap: 3 });
    expect((await daycap(['status', '--ledger', ledger], { cwd: dir })).stdout).toContain('cap 3/account/day');

    writeFileSync(join(dir, 'daycap.config.json'), '{ "cap": 4 }');
    expect((await daycap(['status', '--ledger', ledger], { cwd: dir })).stdout).toContain('cap 4/account/day');
    expect((await daycap(['status', '--ledger', ledger, '--cap', '5'], { cwd: dir })).stdout).toContain('cap 5/account/day');
    expect(recorded(ledger)).toEqual({ cap: 3 });
    const again = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--no-tui'], { cwd: dir });
    expect(again.stdout).toContain("the ledger's cap was 3; this run uses 4 (and records it)");
    expect(recorded(ledger)).toEqual({ cap: 4 });
  });

  it("the same cap again is not rewritten nor announced; a scheduler state's cap is explicit and recorded", async () => {
    const { dir, ledger } = await seededDay();
    const written = statSync(capPath(ledger)).ino;
    const same = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--no-tui', '--cap', '2'], { cwd: dir });
    expect(same.stdout).not.toContain('cap was');
    // Replaced atomically, a rewritten record would be a new file.
    expect(statSync(capPath(ledger)).ino).toBe(written);
    // new-batch-a-and-b.json says posts_per_account_per_day 1.
    const state = await daycap(['seed', '--ledger', ledger, '--state', fixture('cli/states/new-batch-a-and-b.json')], { cwd: dir });
    expect(state.code, state.stderr).toBe(0);
    expect(state.stdout).toContain("warning: the ledger's cap was 2; this seed uses 1 (and records it)");
    expect(recorded(ledger)).toEqual({ cap: 1 });
  });

  it('reset-day keeps the recorded cap for the next day', async () => {
    const { dir, ledger } = await seededDay();
    expect((await daycap(['reset-day', '--ledger', ledger], { cwd: dir })).code).toBe(0);
    expect(recorded(ledger)).toEqual({ cap: 2 });
    const accounts = join(dir, 'accounts.txt');
    const seed = await daycap(['seed', '--ledger', ledger, '--campaign', CAMPAIGN, '--accounts', accounts], { cwd: dir });
    // Yesterday's archive holds no posts; the recorded cap of 2 gives each account two jobs again.
    expect(seed.stdout).toContain('added 4 jobs');
  });

  it('a damaged record is ignored with a warning, never fatal, and the next explicit cap replaces it', async () => {
    const { dir, ledger } = await seededDay();
    for (const damage of ['not json', '{"cap": 0}', '{"cap": "2"}', 'null']) {
      writeFileSync(capPath(ledger), damage);
      const status = await daycap(['status', '--ledger', ledger], { cwd: dir });
      expect(status.code, status.stderr).toBe(0);
      expect(status.stderr).toMatch(/warning: the ledger's recorded cap \(.*cap\.json\) was ignored/);
      expect(status.stdout).toContain('cap 1/account/day');
    }
    const run = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--no-tui', '--cap', '2'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('recorded cap');
    expect(run.stdout).not.toContain('cap was');
    expect(recorded(ledger)).toEqual({ cap: 2 });
  });

  it('nothing is recorded without an explicit cap, and then the default of 1 applies', async () => {
    const { dir, ledger } = await seededDay([], 2);
    expect(existsSync(stateDir(ledger))).toBe(true);
    expect(existsSync(capPath(ledger))).toBe(false);
    expect((await daycap(['status', '--ledger', ledger], { cwd: dir })).stdout).toContain('cap 1/account/day');
  });
});

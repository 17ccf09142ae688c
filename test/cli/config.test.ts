// daycap.config.json and --config, through the real binary.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daycap, hasStack } from '../helpers/cli.js';
import { bytes, copyFixture, tempDir } from '../helpers/files.js';
import { readRows, statuses, writeLedgerRows } from '../helpers/ledgers.js';


interface Printed {
  source: string | null;
  note?: string;
  flags: string[];
  settings: Record<string, unknown> & { pacing: Record<string, unknown>; health: Record<string, unknown> };
}

async function writeConfig(dir: string, config: unknown, name = 'daycap.config.json'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return path;
}

async function printConfig(dir: string, ...args: string[]): Promise<Printed> {
  const result = await daycap(['config', '--print', ...args], { cwd: dir });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Printed;
}

/** A refusal an operator can act on: exit 2, a short message, no stack trace. */
function expectRefusal(result: { code: number | null; stderr: string }, line: string): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toContain(line);
  expect(hasStack(result.stderr)).toBe(false);
}

describe('daycap config --print', () => {
  it('without a file: the built-in defaults, and says so', async () => {
    const dir = tempDir();
    const printed = await printConfig(dir);
    expect(printed.source).toBeNull();
    expect(printed.note).toContain('no daycap.config.json');
    expect(printed.flags).toEqual([]);
    expect(printed.settings).toMatchObject({ maxAttempts: 3, maxPasses: 3, retryDelay: '5m', workers: 4, jobTimeout: '10m', grace: '30s', preflight: { maxCaptionLength: 2200, checkVideos: true }, ledger: { timeFormat: 'utc' } });
    expect(printed.settings).not.toHaveProperty('cap');
    expect(printed.settings.health).toMatchObject({ freezeCategories: ['account'], defaultCooldown: '1h', streakCooldown: '30m' });
    expect(printed.settings.pacing).toMatchObject({ capMode: 'day', maxWait: '2h' });
  });

  it('with daycap.config.json in the folder: its settings, durations written back readably', async () => {
    const dir = tempDir();
    await writeConfig(dir, {
      cap: 2,
      retryDelay: '90m',
      classification: [{ category: 'account', retryable: false, types: { shadowbanned: ['shadowban'] } }],
      pacing: { capMode: 'rolling-24h', minGap: '10m', jitter: '180s', windows: { timeZone: 'Europe/Berlin', ranges: ['8:00-12:00', '14:00-23:00'] } },
    });
    const printed = await printConfig(dir);
    expect(printed.source).toBe('daycap.config.json');
    expect(printed).not.toHaveProperty('note');
    expect(printed.settings).toMatchObject({ cap: 2, retryDelay: '1h30m', workers: 4 });
    expect(printed.settings.pacing).toEqual({
      capMode: 'rolling-24h',
      minGap: '10m',
      jitter: '3m',
      maxWait: '2h',
      windows: { timeZone: 'Europe/Berlin', ranges: ['08:00-12:00', '14:00-23:00'], atEnd: 'wait' },
    });
    const account = (printed.settings['classification'] as Array<{ category: string; types: Record<string, string[]> }>).find((rule) => rule.category === 'account');
    expect(account?.types['shadowbanned']).toEqual(['shadowban']);
  });

  it('--config names another file; flags win over it and are listed', async () => {
    const dir = tempDir();
    await writeConfig(dir, { cap: 5 });
    await writeConfig(dir, { cap: 3, workers: 2, grace: '1m' }, 'night.json');
    const printed = await printConfig(dir, '--config', 'night.json', '--cap', '1', '--workers', '8', '--retry-delay', '2m');
    expect(printed.source).toBe('night.json');
    expect(printed.flags).toEqual(['cap', 'workers', 'retryDelay']);
    expect(printed.settings).toMatchObject({ cap: 1, workers: 8, retryDelay: '2m', grace: '1m' });
  });

  it('its output, saved as the file, reads back to the same settings', async () => {
    const dir = tempDir();
    await writeConfig(dir, { cap: 2, health: { failureStreak: 5 }, pacing: { perMinute: 12, windows: { timeZone: 'UTC', ranges: ['22:00-02:00'], atEnd: 'end' } } }, 'first.json');
    const first = await printConfig(dir, '--config', 'first.json');
    await writeConfig(dir, first.settings, 'second.json');
    const second = await printConfig(dir, '--config', 'second.json');
    expect(second.settings).toEqual(first.settings);
  });

  it('without --print it says what it needs', async () => {
    const result = await daycap(['config'], { cwd: tempDir() });
    expectRefusal(result, 'needs --print');
  });

  it('is listed by daycap --help and has its own --help', async () => {
    const dir = tempDir();
    expect((await daycap(['--help'], { cwd: dir })).stdout).toMatch(/^\s+config\b/m);
    const help = await daycap(['config', '--help'], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--print');
    expect(help.stdout).toContain('--config <file>');
  });
});

describe('configuration errors: exit 2, a short message naming the file and key, no stack trace', () => {
  it('a --config file that does not exist', async () => {
    const dir = tempDir();
    const result = await daycap(['config', '--print', '--config', 'missing.json'], { cwd: dir });
    expectRefusal(result, 'daycap: missing.json: configuration file not found');
    expect(result.stdout).toBe('');
  });

  it('a --config file that does not exist stops a run before the ledger is touched', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/account-at-cap.csv', dir, 'progress.csv');
    const before = await bytes(ledger);
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--config', 'missing.json', '--no-tui'], { cwd: dir });
    expectRefusal(result, 'missing.json: configuration file not found');
    expect(await bytes(ledger)).toEqual(before);
  });

  it('a value of the wrong kind names the key and the value expected', async () => {
    const dir = tempDir();
    await writeConfig(dir, { pacing: { minGap: 5 } });
    const ledger = copyFixture('cli/ledgers/account-at-cap.csv', dir, 'progress.csv');
    const before = await bytes(ledger);
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--no-tui'], { cwd: dir });
    expectRefusal(result, 'daycap: daycap.config.json: pacing.minGap: expected a duration such as 30s, 10m or 1h30m, got 5');
    expect(await bytes(ledger)).toEqual(before);
  });

  it('an unknown key, with the key it probably meant', async () => {
    const dir = tempDir();
    await writeConfig(dir, { pacing: { minGapp: '10m' } });
    const result = await daycap(['config', '--print'], { cwd: dir });
    expectRefusal(result, 'daycap.config.json: unknown key pacing.minGapp (did you mean minGap?)');
  });

  it('JSON that does not parse names the line and the column', async () => {
    const dir = tempDir();
    await writeConfig(dir, '{\n  "cap": 2,\n  "workers": 4,\n}\n');
    const result = await daycap(['config', '--print'], { cwd: dir });
    expectRefusal(result, 'daycap.config.json:4:1: not valid JSON');
  });

  it('seed and retry-failed read the configuration too', async () => {
    const dir = tempDir();
    await writeConfig(dir, { maxAttempts: 0 });
    const ledger = copyFixture('cli/ledgers/failures.csv', dir, 'progress.csv');
    expectRefusal(await daycap(['retry-failed', '--ledger', ledger], { cwd: dir }), 'maxAttempts: expected a whole number of 1 or more, got 0');
    const state = copyFixture('cli/states/new-batch-a-and-b.json', dir);
    expectRefusal(await daycap(['seed', '--ledger', join(dir, 'new.csv'), '--state', state], { cwd: dir }), 'maxAttempts: expected a whole number of 1 or more, got 0');
  });
});

describe('daycap run with a configuration', () => {
  // account_a has posted once today; next-a-2 is its second job. The videos are not on this machine.
  const NO_VIDEO_CHECK = { preflight: { checkVideos: false } };

  it('a cap set in the file is honoured', async () => {
    const dir = tempDir();
    await writeConfig(dir, { cap: 2, ...NO_VIDEO_CHECK });
    const ledger = copyFixture('cli/ledgers/account-at-cap.csv', dir, 'progress.csv');
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--no-tui'], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(await statuses(ledger)).toEqual({ 'done-a-1': 'success', 'next-a-2': 'success', 'first-b-1': 'success' });
  });

  it('a flag beats the file', async () => {
    const dir = tempDir();
    await writeConfig(dir, { cap: 2, ...NO_VIDEO_CHECK });
    const ledger = copyFixture('cli/ledgers/account-at-cap.csv', dir, 'progress.csv');
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--cap', '1', '--no-tui'], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(4);
    expect(await statuses(ledger)).toEqual({ 'done-a-1': 'success', 'next-a-2': 'pending', 'first-b-1': 'success' });
  });

  it('--config names the file; the one in the folder is then not read', async () => {
    const dir = tempDir();
    await writeConfig(dir, { cap: 'two' });
    await writeConfig(dir, { cap: 2, ...NO_VIDEO_CHECK }, 'night.json');
    const ledger = copyFixture('cli/ledgers/account-at-cap.csv', dir, 'progress.csv');
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--config', 'night.json', '--no-tui'], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect((await statuses(ledger))['next-a-2']).toBe('success');
  });

  it("the file's classification decides what is retried", async () => {
    const dir = tempDir();
    await writeConfig(dir, { classification: [{ category: 'platform', retryable: false, types: { quota: ['daily upload limit'] } }], ...NO_VIDEO_CHECK });
    await writeFile(join(dir, 'poster.mjs'), "export default async function post() { throw new Error('Daily upload limit reached'); }\n");
    const ledger = writeLedgerRows(dir, ['q-1,acct_q,v/q-1.mp4,Quota,pending,,,,,0,3,,,,0,,']);
    const result = await daycap(['run', '--ledger', ledger, '--handler', './poster.mjs', '--retry-delay', '0', '--no-tui'], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(4); // a job left failed
    expect(await readRows(ledger)).toMatchObject([{ job_id: 'q-1', status: 'failed', attempts: '1', error_category: 'platform', error_type: 'quota' }]);
  });

  it('--skip-invalid runs the jobs that pass the pre-flight and sets the others aside', async () => {
    const dir = tempDir();
    await writeConfig(dir, { cap: 2 });
    const ledger = copyFixture('cli/ledgers/account-at-cap.csv', dir, 'progress.csv');
    // Only first-b-1's video is here.
    await mkdir(join(dir, 'v'));
    await writeFile(join(dir, 'v', 'first-b-1.mp4'), 'not really a video');
    const before = await bytes(ledger);
    const refused = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--no-tui'], { cwd: dir });
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    expect(refused.stderr).toContain('next-a-2');
    expect(hasStack(refused.stderr)).toBe(false);
    expect(await bytes(ledger)).toEqual(before);

    const skipped = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--skip-invalid', '--no-tui'], { cwd: dir });
    expect(skipped.code, skipped.stdout + skipped.stderr).toBe(0);
    expect(await statuses(ledger)).toEqual({ 'done-a-1': 'success', 'next-a-2': 'skipped', 'first-b-1': 'success' });
  });
});

describe('daycap seed and retry-failed with a configuration', () => {
  it('seed takes the cap and the attempts of new jobs from the file; flags win', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const job = (id: string, extra = {}) => ({ id, video_path: `v/${id}.mp4`, caption: id, account: '', status: 'pending', ...extra });
    await writeFile(state, JSON.stringify({
      jobs: [job('j1', { max_attempts: 7 }), job('j2'), job('j3'), job('j4')],
      accounts: [{ name: 'acct_a' }, { name: 'acct_b' }],
      settings: { posts_per_account_per_day: 1 },
    }));
    await writeConfig(dir, { cap: 2, maxAttempts: 5 });

    const seeded = await daycap(['seed', '--ledger', join(dir, 'one.csv'), '--state', state], { cwd: dir });
    expect(seeded.code, seeded.stderr).toBe(0);
    const rows = await readRows(join(dir, 'one.csv'));
    expect(rows.map((row) => [row['job_id'], row['max_attempts']])).toEqual([['j1', '7'], ['j2', '5'], ['j3', '5'], ['j4', '5']]);
    expect(rows.filter((row) => row['account'] !== '')).toHaveLength(4);

    const flagged = await daycap(['seed', '--ledger', join(dir, 'two.csv'), '--state', state, '--cap', '1', '--max-attempts', '2'], { cwd: dir });
    expect(flagged.code, flagged.stderr).toBe(0);
    const two = await readRows(join(dir, 'two.csv'));
    expect(two.filter((row) => row['account'] !== '')).toHaveLength(2);
    expect(two.map((row) => row['max_attempts'])).toEqual(['7', '2', '2', '2']);
  });

  it("retry-failed leaves a category the file calls non-retryable alone", async () => {
    const dir = tempDir();
    const ledger = writeLedgerRows(dir, ['q-1,acct_q,v/q-1.mp4,Quota,failed,0,2025-12-14T08:00:00.000Z,2025-12-14T08:00:01.000Z,Daily upload limit reached,1,3,,quota,platform,1,r0ld01,']);
    await writeConfig(dir, { classification: [{ category: 'platform', retryable: false, types: { quota: ['daily upload limit'] } }] }, 'platform.json');

    const kept = await daycap(['retry-failed', '--ledger', ledger, '--config', 'platform.json'], { cwd: dir });
    expect(kept.code, kept.stderr).toBe(0);
    expect(await statuses(ledger)).toEqual({ 'q-1': 'failed' });

    const retried = await daycap(['retry-failed', '--ledger', ledger], { cwd: dir });
    expect(retried.code, retried.stderr).toBe(0);
    expect(await statuses(ledger)).toEqual({ 'q-1': 'pending' });
  });
});

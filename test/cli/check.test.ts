// `daycap check` and the pre-flight of `daycap run`, through the real binary.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { journalPath } from '../../src/ledger/paths.js';
import { daycap, hasStack, start, WAIT_FOR_FILE } from '../helpers/cli.js';
import { bytes, fixture, tempDir } from '../helpers/files.js';
import { readRows, statuses, writeLedgerRows, writeVideos } from '../helpers/ledgers.js';

const REFUSAL = 'run would refuse to start: fix these, or run with --skip-invalid to mark them skipped';

/** A ledger in a new folder; `videos` are made real there (relative to the ledger's folder). */
function ledgerWith(rows: string[], videos: string[]): { dir: string; ledger: string } {
  const dir = tempDir();
  const ledger = writeLedgerRows(dir, rows);
  writeVideos(dir, videos);
  return { dir, ledger };
}

const pending = (id: string, account: string, video: string, caption = `caption of ${id}`) => `${id},${account},${video},"${caption}",pending,,,,,0,3,,,,,,`;

/** Every kind of problem once, beside jobs that are fine and one without an account. */
async function troubledDay() {
  const { dir, ledger } = await ledgerWith([
    pending('fine-1', 'acct_1', 'v/fine-1.mp4'),
    pending('fine-2', 'acct_2', 'v/fine-2.mp4'),
    pending('gone', 'acct_3', 'v/gone.mp4'),
    pending('folder', 'acct_4', 'v/folder.mp4'),
    pending('wordy', 'acct_5', 'v/wordy.mp4', '🐻'.repeat(2201)),
    'susp-1,acct_susp,v/susp-1.mp4,Account trouble,failed,1,2025-12-14T08:00:00.000Z,2025-12-14T08:00:04.000Z,Your account has been suspended,1,3,,suspended,account,1,r0ld01,',
    pending('frozen', 'acct_susp', 'v/frozen.mp4'),
    pending('waiting', '', 'v/waiting.mp4'),
  ], ['v/fine-1.mp4', 'v/fine-2.mp4', 'v/wordy.mp4', 'v/frozen.mp4', 'v/waiting.mp4']);
  await mkdir(join(dir, 'v', 'folder.mp4'));
  return { dir, ledger };
}

describe('daycap check', () => {
  it('is listed by daycap --help and has its own --help', async () => {
    const dir = tempDir();
    expect((await daycap(['--help'], { cwd: dir })).stdout).toMatch(/^\s+check\b/m);
    const help = await daycap(['check', '--help'], { cwd: dir });
    expect(help.code).toBe(0);
    for (const option of ['--ledger <csv|url>', '--config <file>', '--accounts <txt>', '--json']) expect(help.stdout).toContain(option);
  });

  it('a clean ledger: exit 0, with notes that are not problems', async () => {
    const { dir, ledger } = await ledgerWith([pending('a', 'acct_a', 'v/a.mp4'), pending('b', 'acct_b', 'v/b.mp4'), pending('c', '', 'v/c.mp4')], ['v/a.mp4', 'v/b.mp4']);
    const result = await daycap(['check', '--ledger', ledger], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([
      `ledger ${ledger}: 2 jobs to claim, no problems`,
      'note: 1 pending job has no account and will not be claimed',
      'ok: the run would start',
    ]);
  });

  it('lists every problem grouped by kind, then says the run would refuse (exit 2)', async () => {
    const { dir, ledger } = await troubledDay();
    const before = await bytes(ledger);
    const result = await daycap(['check', '--ledger', ledger], { cwd: dir });
    expect(result.code).toBe(2);
    expect(hasStack(result.stdout + result.stderr)).toBe(false);
    const out = result.stdout;
    expect(out).toContain(`ledger ${ledger}: 6 jobs to claim, 4 problems`);
    expect(out).toContain(`video-missing (1 job):\n  job gone (acct_3): video not found: v/gone.mp4 (looked for ${join(dir, 'v', 'gone.mp4')})`);
    expect(out).toContain('video-unreadable (1 job):\n  job folder (acct_4): video path is a folder, not a file: v/folder.mp4');
    expect(out).toContain('caption-too-long (1 job):\n  job wordy (acct_5): caption has 2201 characters, over the limit of 2200');
    expect(out).toContain('account-frozen (1 job):\n  job frozen (acct_susp): account acct_susp is frozen for the day: account/suspended: Your account has been suspended (job susp-1)');
    expect(out).not.toContain('fine-1');
    expect(out.trimEnd().split('\n').at(-1)).toBe(REFUSAL);
    expect(await bytes(ledger)).toEqual(before);
  });

  it('--json prints the problems as JSON', async () => {
    const { dir, ledger } = await troubledDay();
    const result = await daycap(['check', '--ledger', ledger, '--json'], { cwd: dir });
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as { ledger: string; checked: number; problems: Array<{ jobId: string; account: string; kind: string; problem: string }>; notes: string[] };
    expect(report.checked).toBe(6);
    expect(report.problems.map((p) => [p.jobId, p.kind])).toEqual([['gone', 'video-missing'], ['folder', 'video-unreadable'], ['wordy', 'caption-too-long'], ['frozen', 'account-frozen']]);
    expect(report.notes).toEqual(['1 pending job has no account and will not be claimed']);
  });

  it('abbreviates a long list of one kind, naming the rest by job id', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => pending(`m${String(i).padStart(2, '0')}`, `acct_${i}`, `v/m${i}.mp4`));
    const { dir, ledger } = await ledgerWith(rows, []);
    const result = await daycap(['check', '--ledger', ledger], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('video-missing (30 jobs):');
    expect(result.stdout.match(/^ {2}job m\d\d /gm)).toHaveLength(10);
    expect(result.stdout).toContain('  … and 20 more: m10, m11, m12, m13, m14, m15, m16, m17, m18, m19, m20, m21, m22, m23, m24, m25, m26, m27, m28, m29');
  });

  it('--accounts makes a job for an account outside the list a problem', async () => {
    const { dir, ledger } = await ledgerWith([pending('a', 'acct_a', 'v/a.mp4'), pending('b', 'acct_b', 'v/b.mp4')], ['v/a.mp4', 'v/b.mp4']);
    await writeFile(join(dir, 'accounts.txt'), '# today\nacct_a\n');
    const result = await daycap(['check', '--ledger', ledger, '--accounts', 'accounts.txt'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("account-unknown (1 job):\n  job b (acct_b): account acct_b is not in the day's account list");
  });

  it('--config sets the caption limit and can turn the video check off', async () => {
    const { dir, ledger } = await ledgerWith([pending('a', 'acct_a', 'v/nowhere.mp4', 'twelve chars')], []);
    await writeFile(join(dir, 'strict.json'), JSON.stringify({ preflight: { maxCaptionLength: 10, checkVideos: false } }));
    const result = await daycap(['check', '--ledger', ledger, '--config', 'strict.json'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('caption-too-long (1 job):\n  job a (acct_a): caption has 12 characters, over the limit of 10');
    expect(result.stdout).not.toContain('video-missing');
    expect(result.stdout).toContain('note: video files were not checked (checkVideos is off)');
  });

  it('works beside a live run (read-only: never takes the lock)', async () => {
    const { dir, ledger } = await ledgerWith([pending('a', 'acct_a', 'v/a.mp4'), pending('b', 'acct_b', 'v/b.mp4')], ['v/a.mp4', 'v/b.mp4']);
    const release = join(dir, 'release');
    const run = start(['run', '--ledger', ledger, '--handler', WAIT_FOR_FILE, '--workers', '1', '--no-tui'], { cwd: dir, env: { DAYCAP_TEST_RELEASE_FILE: release } });
    await run.waitFor(/claimed job/);
    const result = await daycap(['check', '--ledger', ledger], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\d jobs? to claim, no problems/);
    await writeFile(release, '');
    expect((await run.done).code).toBe(0);
  });
});

describe('daycap run and the pre-flight', () => {
  it('refuses to start (exit 2), naming every problem, and changes nothing in the ledger', async () => {
    const { dir, ledger } = await troubledDay();
    const before = await bytes(ledger);
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--no-tui'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(hasStack(result.stderr)).toBe(false);
    expect(result.stderr).toContain('daycap: PRE-FLIGHT FAILED: 4 problems in jobs this run would claim; nothing was claimed');
    for (const line of [
      '  video-missing: job gone (acct_3): video not found: v/gone.mp4',
      '  video-unreadable: job folder (acct_4): video path is a folder, not a file: v/folder.mp4',
      '  caption-too-long: job wordy (acct_5): caption has 2201 characters, over the limit of 2200',
      '  account-frozen: job frozen (acct_susp): account acct_susp is frozen for the day',
    ]) expect(result.stderr).toContain(line);
    expect(result.stderr).toContain(`\`daycap check --ledger ${ledger}\``);
    expect(result.stderr).toContain('--skip-invalid');
    expect(result.stdout).not.toMatch(/claimed job/);
    expect(await bytes(ledger)).toEqual(before);
    expect(existsSync(journalPath(ledger))).toBe(false);
    expect(existsSync(`${ledger}.lock`)).toBe(false);
  });

  it('--skip-invalid marks those jobs skipped with the reason and runs the rest', async () => {
    const { dir, ledger } = await troubledDay();
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--skip-invalid', '--no-tui'], { cwd: dir });
    expect(result.stdout).toContain('skipped 4 jobs that failed the pre-flight');
    // Jobs left: the one without an account (the suspended account's failed row is history).
    expect(result.code, result.stdout + result.stderr).toBe(4);
    expect(await statuses(ledger)).toEqual({
      'fine-1': 'success', 'fine-2': 'success', gone: 'skipped', folder: 'skipped', wordy: 'skipped', 'susp-1': 'failed', frozen: 'skipped', waiting: 'pending',
    });
    const errors = Object.fromEntries((await readRows(ledger)).map((row) => [row['job_id'], row['error']]));
    expect(errors['gone']).toBe(`pre-flight: video not found: v/gone.mp4 (looked for ${join(dir, 'v', 'gone.mp4')})`);
    expect(errors['folder']).toBe(`pre-flight: video path is a folder, not a file: v/folder.mp4 (looked for ${join(dir, 'v', 'folder.mp4')})`);
    expect(errors['wordy']).toBe('pre-flight: caption has 2201 characters, over the limit of 2200');
    expect(errors['frozen']).toMatch(/^pre-flight: account acct_susp is frozen for the day/);

    // The next check is clean: skipped jobs are not claimed.
    const check = await daycap(['check', '--ledger', ledger], { cwd: dir });
    expect(check.code, check.stdout).toBe(0);
  });

  it('after seeding, a job for an account outside the day\'s account list is refused', async () => {
    const dir = tempDir();
    // Left over from an earlier seed today, for an account that is not in today's list.
    const ledger = writeLedgerRows(dir, [pending('old-1', 'retired_acct', 'v/old-1.mp4')]);
    writeVideos(dir, ['v/old-1.mp4', 'chunk_01/morning/morning-a-1.mp4']);
    const result = await daycap(['run', '--ledger', ledger, '--state', fixture('cli/states/one-job-account-a.json'), '--handler', 'simulate', '--no-tui'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("account-unknown: job old-1 (retired_acct): account retired_acct is not in the day's account list");
    expect(result.stderr).not.toContain('morning-a-1');
    // Seeding was written before the pre-flight refused; the operator is told the new job stays.
    expect(result.stdout).toContain(`added 1 job to ${ledger}; they stay there for the next run`);
    expect(await statuses(ledger)).toEqual({ 'old-1': 'pending', 'morning-a-1': 'pending' });
  });
});

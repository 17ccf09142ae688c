/**
 * An operator who migrates keeps the seed system's tools for a while: after a daycap run, its
 * tracker must still load the ledger, count it and claim from it. fixtures/seed-system/reader.py
 * reads the file as that tracker does (csv.DictReader, datetime.fromisoformat compared with a naive
 * datetime.now()); these tests run daycap (the built binary), then that reader, on the same file.
 *
 * Both run in Asia/Kolkata (UTC+5:30), so a naive local time cannot pass for a UTC one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/core/job.js';
import { COOLDOWN_COLUMN } from '../../src/core/policy.js';
import { readLedgerView } from '../../src/ledger/store.js';
import { daycap } from '../helpers/cli.js';
import { copyFixture, fixture, tempDir } from '../helpers/files.js';

const ZONE = { TZ: 'Asia/Kolkata' };
const READER = fixture('seed-system/reader.py');
/** What Python's isoformat() writes for a naive datetime. */
const NAIVE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$/;
const ZULU = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const NO_VIDEO_CHECK = { preflight: { checkVideos: false } };

const python = spawnSync('python3', ['-c', 'import sys; print(sys.version_info[0] * 100 + sys.version_info[1])'], { encoding: 'utf8' });
const pythonVersion = python.status === 0 ? Number(python.stdout.trim()) : undefined;

interface ReaderReport {
  rows: number;
  columns: string[];
  stats: Record<string, number>;
  success_by_account: Record<string, number>;
  assigned_by_account: Record<string, number>;
  released: string[];
  unreadable_claims: string[];
  retries_due: string[];
  retrying: string[];
  times: { checked: number; past: number; not_canonical: string[][] };
  claims: Array<{ job_id: string; account: string; worker_id: string; claimed_at: string }>;
  log: string[];
  stats_after: Record<string, number>;
}

interface ReaderResult {
  code: number | null;
  report: ReaderReport | undefined;
  stderr: string;
}

function readAsSeedSystem(ledger: string, args: readonly string[] = []): Promise<ReaderResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [READER, ledger, '--cap', '1', '--workers', '3', ...args], { env: { ...process.env, ...ZONE }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, report: code === 0 ? (JSON.parse(stdout) as ReaderReport) : undefined }));
  });
}

async function runDaycap(dir: string, args: readonly string[], config: object = {}) {
  await writeFile(join(dir, 'daycap.config.json'), JSON.stringify({ ...NO_VIDEO_CHECK, ...config }));
  const before = Date.now();
  const result = await daycap(['run', '--ledger', join(dir, 'progress.csv'), '--no-tui', ...args], { cwd: dir, env: ZONE });
  return { ...result, before, after: Date.now() };
}

async function rowsOf(dir: string): Promise<Map<string, Job>> {
  return new Map((await readLedgerView(join(dir, 'progress.csv'))).jobs.map((job) => [job.job_id, job]));
}

function timesOf(job: Job): string[] {
  return [job.claimed_at, job.completed_at, job.retry_at, job.extra?.[COOLDOWN_COLUMN] ?? ''].filter((text) => text !== '');
}

/** A naive time as Kolkata wall-clock time, in epoch ms. */
const kolkata = (naive: string) => Date.parse(`${naive}+05:30`);

function successByAccount(rows: Map<string, Job>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const job of rows.values()) if (job.status === 'success') counts[job.account] = (counts[job.account] ?? 0) + 1;
  return counts;
}

describe.skipIf(pythonVersion === undefined)(`the seed system's tracker reads what daycap wrote${pythonVersion === undefined ? ' (skipped: python3 is not installed)' : ''}`, () => {
  it('a ledger the seed system wrote: daycap keeps its naive local times, and the old tracker loads, counts and claims', async () => {
    const dir = tempDir();
    copyFixture('seed-system/progress.csv', dir);
    const run = await runDaycap(dir, ['--handler', 'simulate']);
    // Jobs are left: acct_a is at its cap, acct_c's claim of the crashed run is unconfirmed.
    expect(run.code, run.stdout + run.stderr).toBe(4);
    expect(run.stdout).toContain('Skipping job DMa1-2.mp4_spring - account acct_a at daily limit of 1');

    const rows = await rowsOf(dir);
    expect(Object.fromEntries([...rows].map(([id, job]) => [id, job.status]))).toEqual({
      'DMa1-1.mp4_spring': 'success', 'DMa1-2.mp4_spring': 'pending', 'DMb1-1.mp4_spring': 'success', 'DMc1-1.mp4_spring': 'unconfirmed',
      'DMc1-2.mp4_spring': 'pending', 'DMd1-1.mp4_spring': 'success', 'DMe1-1.mp4_spring': 'failed', 'DMf1-1.mp4_spring': 'success', 'DMh1-1.mp4_spring': 'pending',
    });
    // The seed system's own cells are kept byte for byte; daycap's are naive local time, Python's form.
    expect(rows.get('DMa1-1.mp4_spring')).toMatchObject({ claimed_at: '2025-12-14T09:30:01.000200', completed_at: '2025-12-14T09:31:02.123456' });
    const written = [rows.get('DMb1-1.mp4_spring')!.claimed_at, rows.get('DMb1-1.mp4_spring')!.completed_at, rows.get('DMc1-1.mp4_spring')!.completed_at, rows.get('DMd1-1.mp4_spring')!.completed_at];
    for (const text of written) {
      expect(text).toMatch(NAIVE);
      // The run's own clock, on the machine's (Kolkata) wall: Python's datetime.now() would give the same.
      expect(kolkata(text)).toBeGreaterThanOrEqual(run.before - 1000);
      expect(kolkata(text)).toBeLessThanOrEqual(run.after + 1000);
    }

    const { code, report, stderr } = await readAsSeedSystem(join(dir, 'progress.csv'), ['--write']);
    expect(code, stderr).toBe(0);
    // Every time compares with a naive now(), and is exactly what isoformat() would have written.
    expect(report!.times).toMatchObject({ checked: [...rows.values()].flatMap(timesOf).length, not_canonical: [] });
    expect(report!.unreadable_claims).toEqual([]);
    expect(report!.retries_due).toEqual([]);
    // Counts: the unconfirmed row is in the total and in no bucket of its own.
    expect(report!.stats).toEqual({ total: 9, pending: 3, claimed: 0, success: 4, failed: 1, skipped: 0, retrying: 0 });
    expect(report!.success_by_account).toEqual(successByAccount(rows));
    // An unconfirmed row neither holds its account nor counts toward its limit, for claiming or seeding:
    // the old tracker claims acct_c's second job. Hence docs/migrating.md: settle unconfirmed rows first.
    expect(report!.assigned_by_account['acct_c']).toBe(1);
    // Logged by every worker's claim, as the tracker does.
    expect(new Set(report!.log)).toEqual(new Set(['Skipping job DMa1-2.mp4_spring - account acct_a at daily limit of 1']));
    expect(report!.claims.map((claim) => claim.job_id)).toEqual(['DMc1-2.mp4_spring']);

    // And daycap reads the file as the old tracker wrote it back (its claim, its naive now()).
    const validate = await daycap(['validate', '--ledger', join(dir, 'progress.csv')], { cwd: dir, env: ZONE });
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    expect((await rowsOf(dir)).get('DMc1-2.mp4_spring')).toMatchObject({ status: 'claimed', claimed_at: report!.claims[0]!.claimed_at });
  });

  it('failures daycap records on such a ledger (retry_at, cooldown_until) are naive too, and the old tracker compares them', async () => {
    const dir = tempDir();
    copyFixture('seed-system/progress.csv', dir);
    const run = await runDaycap(dir, ['--handler', fixture('seed-system/fail-by-caption.mjs'), '--max-passes', '1']);
    expect(run.code, run.stdout + run.stderr).toBe(4);
    const rows = await rowsOf(dir);
    expect(rows.get('DMd1-1.mp4_spring')).toMatchObject({ status: 'retrying', error_type: 'adb_timeout' });
    expect(rows.get('DMf1-1.mp4_spring')).toMatchObject({ status: 'failed', error_type: 'action_blocked' });
    const retryAt = rows.get('DMd1-1.mp4_spring')!.retry_at;
    const coolUntil = rows.get('DMf1-1.mp4_spring')!.extra?.[COOLDOWN_COLUMN] ?? '';
    expect(retryAt).toMatch(NAIVE);
    expect(coolUntil).toMatch(NAIVE);
    expect(kolkata(retryAt)).toBeGreaterThan(run.before);

    const { code, report, stderr } = await readAsSeedSystem(join(dir, 'progress.csv'), ['--write']);
    expect(code, stderr).toBe(0);
    expect(report!.columns).toContain(COOLDOWN_COLUMN);
    expect(report!.times.not_canonical).toEqual([]);
    // The retry daycap set lies ahead: not due for the old tracker either.
    expect(report!.retrying).toEqual(['DMd1-1.mp4_spring']);
    expect(report!.retries_due).toEqual([]);
    expect(report!.success_by_account).toEqual(successByAccount(rows));
    // Its claim_next_job does not look at retry_at: it claims the retry at once (its own behaviour).
    expect(report!.claims.map((claim) => claim.job_id)).toEqual(['DMc1-2.mp4_spring', 'DMd1-1.mp4_spring']);
    // It writes its seventeen columns back: the cooldown daycap recorded is gone from the file (docs/migrating.md).
    const after = await rowsOf(dir);
    expect(after.get('DMf1-1.mp4_spring')?.extra?.[COOLDOWN_COLUMN]).toBeUndefined();
    expect(after.get('DMf1-1.mp4_spring')?.completed_at).toBe(rows.get('DMf1-1.mp4_spring')?.completed_at);
  });

  it('a new ledger: daycap writes UTC with Z by default, and the old tracker stops on the first retry it compares', async () => {
    const dir = tempDir();
    const state = copyFixture('seed-system/scheduler_state.json', dir);
    const run = await runDaycap(dir, ['--state', state, '--handler', fixture('seed-system/fail-by-caption.mjs'), '--max-passes', '1']);
    expect(run.code, run.stdout + run.stderr).toBe(4);
    const rows = await rowsOf(dir);
    const written = [...rows.values()].flatMap(timesOf);
    expect(written.length).toBeGreaterThan(0);
    for (const text of written) expect(text).toMatch(ZULU);

    const { code, stderr, report } = await readAsSeedSystem(join(dir, 'progress.csv'));
    if (pythonVersion! >= 311) {
      // Python 3.11 reads the Z as an aware datetime, and comparing it with now() raises.
      expect(code).toBe(1);
      expect(stderr).toContain("TypeError: can't compare offset-naive and offset-aware datetimes");
    } else {
      // Older Pythons refuse the Z outright (ValueError), and the tracker then treats the retry as due at once.
      expect(code).toBe(0);
      expect(report!.retries_due).toEqual(report!.retrying);
    }
  });

  it('a new ledger with ledger.timeFormat "local": naive times from the first row, and the old tracker works', async () => {
    const dir = tempDir();
    const state = copyFixture('seed-system/scheduler_state.json', dir);
    const run = await runDaycap(dir, ['--state', state, '--handler', fixture('seed-system/fail-by-caption.mjs'), '--max-passes', '1'], { ledger: { timeFormat: 'local' } });
    expect(run.code, run.stdout + run.stderr).toBe(4);
    const rows = await rowsOf(dir);
    const written = [...rows.values()].flatMap(timesOf);
    // Claims, completions, the retry and the cooldown.
    expect(written.length).toBeGreaterThanOrEqual(8);
    for (const text of written) expect(text).toMatch(NAIVE);

    const { code, report, stderr } = await readAsSeedSystem(join(dir, 'progress.csv'));
    expect(code, stderr).toBe(0);
    expect(report!.times).toMatchObject({ checked: written.length, not_canonical: [] });
    expect(report!.retries_due).toEqual([]);
    expect(report!.success_by_account).toEqual(successByAccount(rows));
    expect(report!.stats).toMatchObject({ total: 4, success: 1, retrying: 1, failed: 1, pending: 1 });
  });
});

describe('daycap seed keeps the convention too', () => {
  /** A scheduler state whose account acct_x cools down for two more hours, written by the seed system (naive Kolkata time). */
  async function stateWithCooldown(dir: string): Promise<{ state: string; until: number; naive: string }> {
    const until = Date.now() + 2 * 3_600_000;
    const naive = `${new Date(until + 5.5 * 3_600_000).toISOString().slice(0, 23)}456`;
    const state = join(dir, 'scheduler_state.json');
    await writeFile(state, JSON.stringify({
      jobs: [{ id: 'DMx1-1.mp4_spring', video_path: 'videos/DMx1-1.mp4', caption: 'Harbour at dawn', account: '', status: 'pending' }],
      accounts: [{ name: 'acct_x', cooldown_until: naive }],
      settings: { posts_per_account_per_day: 1 },
    }));
    return { state, until, naive };
  }

  it.each([
    ['no setting: UTC with Z', {}, (until: number) => new Date(until).toISOString()],
    ['ledger.timeFormat "local": naive local time', { ledger: { timeFormat: 'local' } }, (_: number, naive: string) => (naive.slice(20, 23) === '000' ? naive.slice(0, 19) : `${naive.slice(0, 23)}000`)],
  ])('a new ledger, %s, for the cooldown a scheduler state carries', async (_, config, expected) => {
    const dir = tempDir();
    const { state, until, naive } = await stateWithCooldown(dir);
    await writeFile(join(dir, 'daycap.config.json'), JSON.stringify(config));
    const seed = await daycap(['seed', '--ledger', join(dir, 'progress.csv'), '--state', state], { cwd: dir, env: ZONE });
    expect(seed.code, seed.stdout + seed.stderr).toBe(0);
    const row = (await rowsOf(dir)).get('DMx1-1.mp4_spring');
    expect(row?.account).toBe('acct_x');
    expect(row?.extra?.[COOLDOWN_COLUMN]).toBe(expected(until, naive));
  });
});

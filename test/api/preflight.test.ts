import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { preflight, probeVideo, type PreflightOptions } from '../../src/api/preflight.js';
import { openRun } from '../../src/api/run.js';
import { DEFAULT_HEALTH } from '../../src/core/policy.js';
import { PreflightError } from '../../src/errors.js';
import { journalPath } from '../../src/ledger/paths.js';
import { readLedgerView } from '../../src/ledger/store.js';
import { tempDir } from '../helpers/files.js';
import { gridJobs, job } from '../helpers/jobs.js';
import { writeLedger } from '../helpers/ledgers.js';

/** Permissions do not stop root, so the unreadable-file case only means something for other users. */
const ROOT = process.getuid?.() === 0;

function options(dir: string, more: Partial<PreflightOptions> = {}): PreflightOptions {
  return { ledgerDir: dir, maxCaptionLength: 2200, checkVideos: true, health: DEFAULT_HEALTH, ...more };
}

/** A day folder with a real video at `videos/<name>.mp4` for each name. */
function day(...names: string[]): string {
  const dir = tempDir('daycap-preflight-');
  mkdirSync(join(dir, 'videos'));
  for (const name of names) writeFileSync(join(dir, 'videos', `${name}.mp4`), 'not really a video');
  return dir;
}

describe('preflight', () => {
  it('passes jobs whose videos are readable files, captions short and accounts fine', async () => {
    const dir = day('a', 'b');
    const report = await preflight([job('a'), job('b', { video_path: join(dir, 'videos', 'b.mp4') })], options(dir));
    expect(report).toEqual({ problems: [], notes: [], checked: 2 });
  });

  it('a missing video is a problem that names the path as written and where it was looked for', async () => {
    const dir = day();
    const { problems } = await preflight([job('gone')], options(dir));
    expect(problems).toEqual([{ jobId: 'gone', account: 'acct-gone', kind: 'video-missing', problem: `video not found: videos/gone.mp4 (looked for ${join(dir, 'videos', 'gone.mp4')})` }]);
  });

  it('a job with no video_path at all is missing its video', async () => {
    const { problems } = await preflight([job('empty', { video_path: '' })], options(day()));
    expect(problems).toMatchObject([{ jobId: 'empty', kind: 'video-missing', problem: 'the job has no video_path' }]);
  });

  it.skipIf(ROOT)('a video without read permission is unreadable', async () => {
    const dir = day('locked');
    chmodSync(join(dir, 'videos', 'locked.mp4'), 0o000);
    try {
      const { problems } = await preflight([job('locked')], options(dir));
      expect(problems).toMatchObject([{ jobId: 'locked', kind: 'video-unreadable' }]);
      expect(problems[0]!.problem).toContain('cannot be read (EACCES)');
    } finally {
      chmodSync(join(dir, 'videos', 'locked.mp4'), 0o644);
    }
  });

  it('a folder is not a video', async () => {
    const dir = day();
    mkdirSync(join(dir, 'videos', 'folder.mp4'));
    const { problems } = await preflight([job('folder')], options(dir));
    expect(problems).toMatchObject([{ jobId: 'folder', kind: 'video-unreadable' }]);
    expect(problems[0]!.problem).toMatch(/^video path is a folder, not a file: videos\/folder\.mp4/);
  });

  it('resolves a relative video path against the ledger folder, not the working directory', async () => {
    const dir = day('rel');
    expect(process.cwd()).not.toBe(dir);
    expect((await preflight([job('rel')], options(dir))).problems).toEqual([]);
    // The same row, checked as if the ledger lived elsewhere, does not find the file.
    expect((await preflight([job('rel')], options(day()))).problems).toMatchObject([{ kind: 'video-missing' }]);
  });

  it('a caption exactly at the limit passes; one code point over fails, an emoji counting as one', async () => {
    const dir = day('at', 'over', 'bears', 'bears2');
    // 🐻 is two UTF-16 units but one code point.
    const atLimit = 'x'.repeat(2199) + '🐻';
    const overLimit = '🐻'.repeat(2201);
    expect(atLimit.length).toBe(2201);
    const { problems } = await preflight([
      job('at', { caption: 'x'.repeat(2200) }),
      job('over', { caption: 'x'.repeat(2201) }),
      job('bears', { caption: atLimit }),
      job('bears2', { caption: overLimit }),
    ], options(dir));
    expect(problems.map((p) => [p.jobId, p.kind])).toEqual([['over', 'caption-too-long'], ['bears2', 'caption-too-long']]);
    expect(problems[0]!.problem).toBe('caption has 2201 characters, over the limit of 2200');
    expect(problems[1]!.problem).toBe('caption has 2201 characters, over the limit of 2200');
    expect((await preflight([job('bears', { caption: '🐻'.repeat(2200) })], options(dir))).problems).toEqual([]);
  });

  it('the caption limit comes from the options', async () => {
    const dir = day('short');
    const { problems } = await preflight([job('short', { caption: '12345' })], options(dir, { maxCaptionLength: 4 }));
    expect(problems).toMatchObject([{ kind: 'caption-too-long', problem: 'caption has 5 characters, over the limit of 4' }]);
  });

  it('an account outside the known account list is a problem; without a list it is not checked', async () => {
    const dir = day('known', 'stranger');
    const jobs = [job('known', { account: 'alice' }), job('stranger', { account: 'mallory' })];
    const { problems } = await preflight(jobs, options(dir, { accounts: new Set(['alice', 'bob']) }));
    expect(problems).toEqual([{ jobId: 'stranger', account: 'mallory', kind: 'account-unknown', problem: "account mallory is not in the day's account list" }]);
    expect((await preflight(jobs, options(dir))).problems).toEqual([]);
  });

  it('a job for an account frozen by an earlier failure is a problem', async () => {
    const dir = day('next', 'other');
    const jobs = [
      job('earlier', { account: 'alice', status: 'failed', error: 'Your account has been suspended', error_category: 'account', error_type: 'suspended', completed_at: '2025-12-14T08:00:00.000Z' }),
      job('next', { account: 'alice' }),
      job('other', { account: 'bob' }),
    ];
    const { problems } = await preflight(jobs, options(dir));
    expect(problems).toEqual([{ jobId: 'next', account: 'alice', kind: 'account-frozen', problem: 'account alice is frozen for the day: account/suspended: Your account has been suspended (job earlier)' }]);
    // A cooldown type does not freeze.
    const cooling = await preflight([{ ...jobs[0]!, error_type: 'action_blocked' }, jobs[1]!], options(dir));
    expect(cooling.problems).toEqual([]);
  });

  it('checks only jobs that will be claimed; waiting jobs without an account are a note, not a problem', async () => {
    const dir = day();
    const jobs = [
      job('no-acct-1', { account: '' }),
      job('no-acct-2', { account: '', status: 'retrying' }),
      job('done', { status: 'success' }),
      job('failed', { status: 'failed' }),
      job('skipped', { status: 'skipped' }),
      job('retry', { status: 'retrying' }),
    ];
    const report = await preflight(jobs, options(dir));
    expect(report.problems.map((p) => p.jobId)).toEqual(['retry']);
    expect(report.checked).toBe(1);
    expect(report.notes).toEqual(['2 pending jobs have no account and will not be claimed']);
  });

  it('reports every problem of a job, and of every job, together', async () => {
    const dir = day();
    const { problems } = await preflight([job('a', { caption: 'xxxxx' }), job('b', { caption: 'ok' })], options(dir, { maxCaptionLength: 3, accounts: new Set() }));
    expect(problems.map((p) => `${p.jobId}:${p.kind}`)).toEqual(['a:video-missing', 'a:caption-too-long', 'a:account-unknown', 'b:video-missing', 'b:account-unknown']);
  });

  it('looks at each distinct video once, however many jobs share it, and at most `concurrency` at a time', async () => {
    const dir = day('shared');
    const seen: string[] = [];
    let inFlight = 0;
    let most = 0;
    const probe = async (path: string) => {
      seen.push(path);
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return probeVideo(path);
    };
    const jobs = [
      job('1', { video_path: 'videos/shared.mp4' }),
      job('2', { video_path: join(dir, 'videos', 'shared.mp4') }),
      job('3', { video_path: './videos/shared.mp4' }),
      ...Array.from({ length: 20 }, (_, i) => job(`m${i}`, { video_path: `videos/missing-${i % 10}.mp4` })),
    ];
    const { problems } = await preflight(jobs, options(dir, { probe, concurrency: 4 }));
    expect(seen.sort()).toEqual([join(dir, 'videos', 'shared.mp4'), ...Array.from({ length: 10 }, (_, i) => join(dir, 'videos', `missing-${i}.mp4`))].sort());
    expect(most).toBe(4);
    expect(problems).toHaveLength(20);
    expect(problems.every((p) => p.kind === 'video-missing')).toBe(true);
  });

  it('with checkVideos off, no file is looked at, and the report says so', async () => {
    const probe = async () => {
      throw new Error('should not look');
    };
    const report = await preflight([job('a')], options(day(), { checkVideos: false, probe }));
    expect(report.problems).toEqual([]);
    expect(report.notes).toEqual(['video files were not checked (checkVideos is off)']);
  });
});

describe('openRun and the pre-flight', () => {
  /** 25 jobs on 25 accounts; the first `missing` of them have no video file. */
  function dayWithMissing(missing: number): { dir: string; ledger: string } {
    const dir = tempDir('daycap-preflight-run-');
    const jobs = gridJobs(25, 1, {}, { videosIn: dir });
    for (const job of jobs.slice(0, missing)) job.video_path = join(dir, 'videos', `gone-${job.job_id}.mp4`);
    return { dir, ledger: writeLedger(dir, jobs) };
  }
  const simulate = { kind: 'simulate', seed: 1 } as const;

  it('refuses with PreflightError (exit code 2, the problems listed, abbreviated past 20) and leaves the ledger as it was', async () => {
    const { ledger } = dayWithMissing(22);
    const before = readFileSync(ledger);
    const error = await openRun({ ledger, handler: simulate }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(PreflightError);
    const refusal = error as PreflightError;
    expect(refusal).toMatchObject({ code: 'PREFLIGHT_FAILED', exitCode: 2, operatorError: true });
    expect(refusal.problems).toHaveLength(22);
    expect(refusal.message.split('\n').filter((line) => line.startsWith('  video-missing: job '))).toHaveLength(20);
    expect(refusal.message).toContain('  … and 2 more');
    expect(refusal.hint).toContain(`daycap check --ledger ${ledger}`);
    expect(refusal.hint).toContain('--skip-invalid');
    expect(readFileSync(ledger)).toEqual(before);
    expect(existsSync(journalPath(ledger))).toBe(false);
    // The lock was let go: the next run can take the ledger.
    const { runner } = await openRun({ ledger, handler: simulate, preflight: { maxCaptionLength: 2200, checkVideos: false } });
    await runner.store.close({ final: true, label: 'test' });
  });

  it('with skipInvalid, the jobs are skipped with the problem as error, durable before the run starts (G3)', async () => {
    const { ledger } = dayWithMissing(2);
    const { runner, skipped } = await openRun({ ledger, handler: simulate, skipInvalid: true });
    expect(skipped).toBe(2);
    // Journaled already: a reader (or a run after a crash here) sees them skipped.
    const view = await readLedgerView(ledger);
    const set = view.jobs.filter((job) => job.status === 'skipped');
    expect(set.map((job) => job.job_id)).toEqual(['job-0-0', 'job-1-0']);
    expect(set[0]!.error).toMatch(/^pre-flight: video not found: .*gone-job-0-0\.mp4$/);
    const { summary, exitCode } = await runner.run();
    expect(summary.counts).toMatchObject({ success: 23, skipped: 2, pending: 0 });
    expect(exitCode).toBe(0);
  });

  it('a caption limit from the options applies to the run', async () => {
    const dir = tempDir('daycap-preflight-run-');
    const ledger = writeLedger(dir, gridJobs(2, 1, { caption: 'a caption of 26 characters' }, { videosIn: dir }));
    await expect(openRun({ ledger, handler: simulate, preflight: { maxCaptionLength: 25, checkVideos: true } })).rejects.toThrow(/caption-too-long: job job-0-0 \(acct0\): caption has 26 characters, over the limit of 25/);
    const { runner } = await openRun({ ledger, handler: simulate });
    expect((await runner.run()).summary.counts.success).toBe(2);
  });
});

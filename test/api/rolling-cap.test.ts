/** The rolling 24-hour cap across a reset-day: yesterday's posts are read back from the archive. */
import { describe, expect, it } from 'vitest';
import { resetDay } from '../../src/api/reset-day.js';
import { openRun } from '../../src/api/run.js';
import { DEFAULT_PACING } from '../../src/core/policy.js';
import { isoTime } from '../../src/core/job.js';
import { localIsoTime } from '../../src/core/time.js';
import { readPastPosts } from '../../src/api/past-posts.js';
import { readLedgerView } from '../../src/ledger/store.js';
import { EXIT } from '../../src/runner/exit-codes.js';
import { tempDir } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { writeLedger } from '../helpers/ledgers.js';
import { inTimeZone } from '../helpers/time.js';

const HOUR = 3_600_000;

describe('rolling 24-hour cap', () => {
  it("holds an account that posted in yesterday's archive less than 24 hours ago; the day cap would not", async () => {
    const dir = tempDir();
    // Today at 10:00 local, running on from there: yesterday's post at 22:00 is 12 hours old.
    const started = Date.now();
    const tenToday = new Date();
    tenToday.setHours(10, 0, 0, 0);
    const clock = () => tenToday.getTime() + (Date.now() - started);
    const postedAt = tenToday.getTime() - 12 * HOUR;
    // Last night's ledger: acct0 posted at 22:00; at 23:00 the day was reset (an archive dated yesterday).
    const yesterday = gridJobs(1, 1, { status: 'success', completed_at: isoTime(postedAt), claimed_at: isoTime(postedAt - 5000), attempts: 1 });
    const ledger = writeLedger(dir, yesterday.map((job) => ({ ...job, job_id: `old-${job.job_id}` })));
    const { archivedTo } = await resetDay({ ledger, now: postedAt + HOUR });
    expect(archivedTo).toBeDefined();
    // Today's jobs: one for acct0, one for acct1.
    writeLedger(dir, gridJobs(2, 1, {}, { videosIn: dir }));

    const rolling = { ...DEFAULT_PACING, capMode: 'rolling-24h' as const };
    const { runner } = await openRun({ ledger, handler: { kind: 'simulate', seed: 1, options: { meanLatencyMs: 1 } }, workers: 2, cap: 1, pacing: rolling, clock, controlSocket: false, watchLedger: false });
    const { exitCode } = await runner.run();
    expect(exitCode).toBe(EXIT.JOBS_LEFT);
    const rows = (await readLedgerView(ledger)).jobs;
    expect(rows.find((row) => row.account === 'acct0')?.status).toBe('pending');
    expect(rows.find((row) => row.account === 'acct1')?.status).toBe('success');

    // The same day under the day cap posts both: it counts only today's archives, and that post was yesterday's.
    const { runner: dayRunner } = await openRun({ ledger, handler: { kind: 'simulate', seed: 1, options: { meanLatencyMs: 1 } }, workers: 2, cap: 1, clock, controlSocket: false, watchLedger: false });
    expect((await dayRunner.run()).exitCode).toBe(EXIT.OK);
  });
});

describe('rolling 24-hour cap over an archive the seed system wrote', () => {
  // Honolulu is ten hours behind UTC, all year: a naive local time read as UTC would be ten hours too old.
  inTimeZone('Pacific/Honolulu');

  it('counts a post of 20 hours ago written as naive local time with microseconds; read as UTC it would be 30 hours old', async () => {
    const dir = tempDir();
    const now = Date.now();
    const postedAt = Math.floor((now - 20 * HOUR) / 1000) * 1000;
    // As Python's datetime.now().isoformat() writes it on that machine.
    const completedAt = `${localIsoTime(postedAt)}.123456`;
    const yesterday = gridJobs(2, 1, { status: 'success', claimed_at: completedAt, completed_at: completedAt, attempts: 1 });
    const ledger = writeLedger(dir, yesterday.map((job) => ({ ...job, job_id: `old-${job.job_id}` })));
    await resetDay({ ledger, now });
    expect(await readPastPosts({ ledger, now })).toEqual([
      { account: 'acct0', at: postedAt + 123 },
      { account: 'acct1', at: postedAt + 123 },
    ]);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { readLedgerView } from '../../src/ledger/store.js';
import { Runner } from '../../src/runner/runner.js';
import { EXIT } from '../../src/runner/exit-codes.js';
import { fixture, tempDir } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { writeLedger } from '../helpers/ledgers.js';
import { readRecord, recordedRun, recordIn, recordProblems } from '../helpers/recording.js';

describe('the runner with real worker threads', () => {
  for (const cap of [1, 2]) {
    it(`keeps cap ${cap} and one job per account at a time, 8 workers, many jobs per account`, async () => {
      const dir = tempDir();
      const record = recordIn(dir);
      const ledger = writeLedger(dir, gridJobs(30, 4));
      const { summary, exitCode } = await recordedRun({ ledger, workers: 8, cap, retryDelayMs: 10 });
      const posts = readRecord(record);
      // G1 and G2 from the handler's own record, not from the runner's view.
      expect(recordProblems(posts, cap)).toEqual([]);
      expect(posts.filter((p) => p.ok)).toHaveLength(30 * cap);
      expect(summary.counts.success).toBe(30 * cap);
      // The jobs beyond the cap stay pending, so the day is not all success.
      expect(exitCode).toBe(EXIT.JOBS_LEFT);
      const view = await readLedgerView(ledger);
      expect(view.jobs.filter((j) => j.status === 'success')).toHaveLength(30 * cap);
      expect(view.journalRecords).toBe(0);
    });
  }

  it('retries a retryable failure after its delay, and exits 0 when every job succeeded', async () => {
    const dir = tempDir();
    const record = recordIn(dir);
    vi.stubEnv('DAYCAP_FAIL_PATTERN', '^job-[0-4]-0$');
    vi.stubEnv('DAYCAP_FAIL_ATTEMPTS', '1');
    const ledger = writeLedger(dir, gridJobs(10, 1));
    const { summary, exitCode } = await recordedRun({ ledger, workers: 4, cap: 1, retryDelayMs: 300 });
    expect(summary.counts.success).toBe(10);
    expect(exitCode).toBe(EXIT.OK);
    const posts = readRecord(record);
    for (const id of ['job-0-0', 'job-1-0', 'job-2-0', 'job-3-0', 'job-4-0']) {
      const [first, second] = posts.filter((p) => p.job_id === id);
      expect(first?.ok).toBe(false);
      expect(second?.ok).toBe(true);
      expect(second!.start - first!.end).toBeGreaterThanOrEqual(300 - 5);
    }
    const rows = (await readLedgerView(ledger)).jobs;
    expect(rows.find((r) => r.job_id === 'job-0-0')).toMatchObject({ status: 'success', attempts: 2 });
  });

  it('does not retry non-retryable failures', async () => {
    const dir = tempDir();
    const ledger = writeLedger(dir, gridJobs(6, 1));
    const runner = await Runner.open({ ledger, handler: { kind: 'simulate', seed: 1, options: { accountErrorRate: 1 } }, workers: 3, retryDelayMs: 1 });
    const attempts: string[] = [];
    runner.events.on('job-claimed', ({ job }) => attempts.push(job.job_id));
    const { summary, exitCode } = await runner.run();
    expect(summary.counts.failed).toBe(6);
    expect(attempts).toHaveLength(6);
    expect(exitCode).toBe(EXIT.JOBS_LEFT);
    const rows = (await readLedgerView(ledger)).jobs;
    for (const row of rows) expect(row).toMatchObject({ status: 'failed', attempts: 1, error_category: 'account' });
  });

  it('gives up on retries after max passes and leaves them retrying', async () => {
    const dir = tempDir();
    const record = recordIn(dir);
    vi.stubEnv('DAYCAP_FAIL_PATTERN', '.');
    const ledger = writeLedger(dir, gridJobs(2, 1, { max_attempts: 10 }));
    const { summary } = await recordedRun({ ledger, workers: 2, retryDelayMs: 20, maxPasses: 2 });
    expect(summary.counts.retrying).toBe(2);
    expect(summary.passes).toBe(2);
    expect(readRecord(record)).toHaveLength(4);
  });

  it('turns a job whose worker thread died into unconfirmed and goes on with a new thread', async () => {
    const dir = tempDir();
    const ledger = writeLedger(dir, gridJobs(3, 1));
    const runner = await Runner.open({ ledger, handler: { kind: 'module', path: fixture('handlers/exits.mjs') }, workers: 2 });
    const died: number[] = [];
    runner.events.on('worker-died', ({ workerId }) => died.push(workerId));
    const { summary } = await runner.run();
    expect(summary.counts.unconfirmed).toBe(3);
    expect(died.length).toBeGreaterThanOrEqual(3);
  });
});

describe('handlers that misbehave', () => {
  it('fails a job that hangs past --job-timeout as a retryable timeout, and loses no job', async () => {
    const dir = tempDir();
    const ledger = writeLedger(dir, gridJobs(2, 1, { max_attempts: 2 }));
    const runner = await Runner.open({ ledger, handler: { kind: 'module', path: fixture('handlers/hangs.mjs') }, workers: 2, jobTimeoutMs: 200, retryDelayMs: 10, maxPasses: 2 });
    const { summary } = await runner.run();
    expect(summary.counts.failed).toBe(2);
    const rows = (await readLedgerView(ledger)).jobs;
    for (const row of rows) expect(row).toMatchObject({ status: 'failed', attempts: 2, error_type: 'timeout', error_category: 'infrastructure' });
    expect(rows[0]!.error).toMatch(/timed out/);
  });

  it('refuses to start, before any claim, with a handler that cannot be loaded', async () => {
    const dir = tempDir();
    const ledger = writeLedger(dir, gridJobs(1, 1));
    for (const bad of ['no-default.mjs', 'syntax-error.mjs', 'throws-on-import.mjs', 'missing.mjs']) {
      await expect(Runner.open({ ledger, handler: { kind: 'module', path: fixture(`handlers/${bad}`) } })).rejects.toMatchObject({ code: 'HANDLER_UNUSABLE' });
    }
    expect((await readLedgerView(ledger)).jobs[0]!.status).toBe('pending');
  });
});

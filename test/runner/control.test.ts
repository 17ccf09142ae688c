import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { askRunner } from '../../src/store/file-control.js';
import { newJob } from '../../src/core/job.js';
import { controlSocketPath, ensureStateDir } from '../../src/ledger/paths.js';
import { EXIT } from '../../src/runner/exit-codes.js';
import { Runner } from '../../src/runner/runner.js';
import { tempDir } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { writeLedger } from '../helpers/ledgers.js';

describe('control from another terminal', () => {
  it('answers status with the live rows, pauses, resumes, revives failed jobs and stops, on an owner-only socket', async () => {
    const dir = tempDir();
    const ledger = writeLedger(dir, [
      ...gridJobs(6, 1),
      newJob({ job_id: 'failed-1', account: 'z', status: 'failed', attempts: 3, error: 'adb timeout', error_category: 'infrastructure', error_type: 'adb_timeout' }),
    ]);
    const runner = await Runner.open({ ledger, handler: { kind: 'simulate', seed: 3, options: { meanLatencyMs: 150 } }, workers: 1 });
    const claimed: string[] = [];
    const checks = new Promise<void>((resolve, reject) => {
      runner.events.on('job-claimed', ({ job }) => {
        claimed.push(job.job_id);
        if (claimed.length !== 1) return;
        void (async () => {
          expect(statSync(controlSocketPath(ledger)).mode & 0o777).toBe(0o600);
          const status = await askRunner(ledger, { op: 'status' });
          expect(status).toMatchObject({ ok: true, status: { jobs: 7, counts: { claimed: 1, failed: 1 } } });
          expect(await askRunner(ledger, { op: 'pause' })).toMatchObject({ ok: true });
          const revived = await askRunner(ledger, { op: 'retry-failed' });
          expect(revived).toMatchObject({ ok: true, changed: ['failed-1'] });
          expect(await askRunner(ledger, { op: 'status' })).toMatchObject({ status: { paused: true, counts: { failed: 0 } } });
          expect(await askRunner(ledger, { op: 'resume' })).toMatchObject({ ok: true });
          expect(await askRunner(ledger, { op: 'stop' })).toMatchObject({ ok: true });
        })().then(resolve, reject);
      });
    });
    const { summary, exitCode } = await runner.run();
    await checks;
    expect(exitCode).toBe(EXIT.INTERRUPTED);
    expect(summary.counts.failed).toBe(0);
    expect(summary.counts.pending).toBeGreaterThanOrEqual(1);
    expect(existsSync(controlSocketPath(ledger))).toBe(false);
    expect(await askRunner(ledger, { op: 'status' })).toBeUndefined();
  });

  it('replaces a stale socket left by a dead runner and never trusts it', async () => {
    const dir = tempDir();
    const ledger = writeLedger(dir, gridJobs(2, 1));
    await ensureStateDir(ledger);
    const path = controlSocketPath(ledger);
    // A process that listens on the socket and dies without removing it.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => child.stdout.once('data', resolve));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(existsSync(path)).toBe(true);
    expect(await askRunner(ledger, { op: 'status' })).toBeUndefined();

    const runner = await Runner.open({ ledger, handler: { kind: 'simulate', seed: 1, options: { meanLatencyMs: 100 } }, workers: 1 });
    let live: unknown;
    runner.events.on('job-claimed', () => {
      void askRunner(ledger, { op: 'status' }).then((answer) => { live ??= answer; });
    });
    const { exitCode } = await runner.run();
    expect(exitCode).toBe(EXIT.OK);
    expect(live).toMatchObject({ ok: true, pid: process.pid });
  });
});

// Control from another terminal: status, pause, resume, stop, retry-failed and release-stale beside a
// live `daycap run` (kept alive by a handler that sleeps), and the same commands with no run.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLedgerLock } from '../../src/ledger/lock/index.js';
import { daycap, hasStack, startSleepingRun } from '../helpers/cli.js';
import { bytes, copyFixture, tempDir } from '../helpers/files.js';
import { statuses, writeLedgerRows, writeVideosOf } from '../helpers/ledgers.js';

/** Three pending jobs, a retryable and a non-retryable failure, and a job left unconfirmed by a dead run. */
function dayLedger(dir: string): string {
  const ledger = writeLedgerRows(dir, [
    'p1,acct_1,v/p1.mp4,first,pending,,,,,0,3,,,,,,',
    'p2,acct_2,v/p2.mp4,second,pending,,,,,0,3,,,,,,',
    'p3,acct_3,v/p3.mp4,third,pending,,,,,0,3,,,,,,',
    'adb-1,acct_adb,v/adb-1.mp4,Device trouble,failed,2,2025-12-14T08:10:00.000Z,2025-12-14T08:10:04.000Z,adb timeout: device offline,3,3,,adb_timeout,infrastructure,3,r0ld01,',
    'susp-1,acct_susp,v/susp-1.mp4,Account trouble,failed,1,2025-12-14T08:00:00.000Z,2025-12-14T08:00:04.000Z,Your account has been suspended,1,3,,suspended,account,1,r0ld01,',
    'unsure,acct_u,v/unsure.mp4,in flight when a run died,unconfirmed,0,2025-12-14T08:00:00.000Z,2025-12-14T08:00:01.000Z,may have posted,0,3,,,,1,dead02,',
  ]);
  writeVideosOf(ledger);
  return ledger;
}

/** A live run beside which the other commands are tried. */
async function liveRun() {
  const dir = tempDir();
  const ledger = dayLedger(dir);
  return { dir, ledger, ...(await startSleepingRun(dir, ledger, /claimed job p\d/)) };
}

interface StatusJson {
  source: string;
  counts: Record<string, number>;
  live?: { runId: string; pid: number; paused: boolean };
}

describe('beside a live run', () => {
  it('status shows the live state (1 claimed) without the lock; pause, resume and stop reach the run, which exits 130', async () => {
    const { dir, ledger, run, runId, pid } = await liveRun();

    const status = await daycap(['status', '--ledger', ledger], { cwd: dir });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`ledger ${ledger}: live from run ${runId} (pid ${pid}), running`);
    expect(status.stdout).toMatch(/^pending 2 {2}claimed 1 {2}success 0 {2}retrying 0 {2}failed 2 {2}skipped 0 {2}unconfirmed 1$/m);
    expect(status.stdout).toContain('the CSV on disk may lag behind');

    const json = JSON.parse((await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir })).stdout) as StatusJson;
    expect(json.source).toBe('live');
    expect(json.counts.claimed).toBe(1);
    expect(json.live).toMatchObject({ runId, pid, paused: false });

    const pause = await daycap(['pause', '--ledger', ledger], { cwd: dir });
    expect(pause.code, pause.stderr).toBe(0);
    expect(pause.stdout).toBe(`run ${runId} (pid ${pid}): claiming paused; jobs in flight go on (resume with \`daycap resume\`)\n`);
    await run.waitFor(/claiming paused/);
    expect((await daycap(['status', '--ledger', ledger], { cwd: dir })).stdout).toContain(`live from run ${runId} (pid ${pid}), paused`);
    expect((JSON.parse((await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir })).stdout) as StatusJson).live?.paused).toBe(true);

    const resume = await daycap(['resume', '--ledger', ledger], { cwd: dir });
    expect(resume.code, resume.stderr).toBe(0);
    expect(resume.stdout).toContain(`run ${runId} (pid ${pid}): claiming resumed`);
    await run.waitFor(/claiming resumed/);

    const stop = await daycap(['stop', '--ledger', ledger], { cwd: dir });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toContain(`run ${runId} (pid ${pid}): stopping: no new claims`);
    const ended = await run.done;
    expect(ended.code).toBe(130);
    expect(ended.stdout).toContain('stopping (daycap stop)');

    // The run is gone: the commands say so, and status reads the file again.
    const again = await daycap(['stop', '--ledger', ledger], { cwd: dir });
    expect(again.code).toBe(6);
    expect(again.stderr).toContain(`no run is using ${ledger}; nothing to stop`);
    const file = await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir });
    expect((JSON.parse(file.stdout) as StatusJson).source).toBe('file');
  });

  it('retry-failed and release-stale are done by the live run, which prints its answer; --older-than does not apply', async () => {
    const { dir, ledger, run, runId, pid } = await liveRun();

    const retry = await daycap(['retry-failed', '--ledger', ledger], { cwd: dir });
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toContain(`run ${runId} (pid ${pid}): 1 failed job back to pending in the live run: adb-1`);
    expect(retry.stdout).toContain('1 job left failed: account and content failures are not retried unless you add --include-non-retryable');

    const release = await daycap(['release-stale', '--ledger', ledger, '--older-than', '10m'], { cwd: dir });
    expect(release.code, release.stderr).toBe(0);
    expect(release.stdout).toContain(`run ${runId} (pid ${pid}): 1 unconfirmed job back to pending in the live run`);
    expect(release.stdout).toMatch(/^released: unsure$/m);
    expect(release.stdout).toContain('--older-than does not apply beside a live run');

    const live = JSON.parse((await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir })).stdout) as StatusJson;
    expect(live.source).toBe('live');
    expect(live.counts).toMatchObject({ claimed: 1, failed: 1, unconfirmed: 0, pending: 4 });

    expect((await daycap(['stop', '--ledger', ledger], { cwd: dir })).code).toBe(0);
    expect((await run.done).code).toBe(130);
    // What the run did for them is in the ledger once it has ended.
    const after = await statuses(ledger);
    expect(after).toMatchObject({ 'adb-1': 'pending', unsure: 'pending', 'susp-1': 'failed' });
  });
});

describe('with no live run', () => {
  it.each([
    ['pause', 'nothing to pause'],
    ['resume', 'nothing to resume'],
    ['stop', 'nothing to stop'],
  ])('daycap %s says no run is using the ledger and exits 6, touching nothing', async (command, nothing) => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/failures.csv', dir, 'progress.csv');
    const before = await bytes(ledger);
    const result = await daycap([command, '--ledger', ledger], { cwd: dir });
    expect(result.code).toBe(6);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`daycap: no run is using ${ledger}; ${nothing}`);
    expect(hasStack(result.stderr)).toBe(false);
    expect(await bytes(ledger)).toEqual(before);
  });

  it('a missing ledger is exit 2, as for the other commands', async () => {
    const dir = tempDir();
    const result = await daycap(['pause', '--ledger', join(dir, 'nope.csv')], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no ledger at');
  });

  it('a holder that is not a run (no control socket) is exit 3 for pause; retry-failed and status work on the file as before', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/failures.csv', dir, 'progress.csv');
    const lock = await acquireLedgerLock(ledger, { command: 'daycap test-holder' });
    try {
      const pause = await daycap(['pause', '--ledger', ledger], { cwd: dir });
      expect(pause.code).toBe(3);
      expect(pause.stderr).toContain('daycap test-holder');
      expect(pause.stderr).toContain('does not answer on its control socket; nothing to pause');

      const retry = await daycap(['retry-failed', '--ledger', ledger], { cwd: dir });
      expect(retry.code).toBe(3);
      expect(retry.stderr).toContain('is in use by');

      const status = await daycap(['status', '--ledger', ledger], { cwd: dir });
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('a run is in progress');
      expect(status.stdout).not.toContain('live from');
    } finally {
      await lock.release();
    }
    const retry = await daycap(['retry-failed', '--ledger', ledger], { cwd: dir });
    expect(retry.stdout).toContain('1 failed job put back to pending: adb-1');
  });
});

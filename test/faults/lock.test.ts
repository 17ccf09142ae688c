/**
 * Lock faults (G6) with real processes: many runners at once, a holder killed with SIGKILL, a holder
 * stopped with SIGSTOP past the stale time and then continued. The take-over rules and the gate on
 * their own (a holder on another host, a gate left by a killed process) are in test/ledger/lock/.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLedgerView } from '../../src/ledger/store.js';
import { lockPath } from '../../src/ledger/paths.js';
import { EXIT } from '../../src/runner/exit-codes.js';
import { daycap, start, WAIT_FOR_FILE, type Result, type Started } from '../helpers/cli.js';
import { fileTree, tempDir, treeDiff } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { sealedJournals, writeLedger } from '../helpers/ledgers.js';
import { readRecord, recordProblems, RECORDING } from '../helpers/recording.js';
import { until } from '../helpers/time.js';

const IN_USE = /ledger (\S+) is in use by pid (\d+) on host (\S+) \(daycap run, since \d{4}-\d\d-\d\dT[\d:]+Z\)/;

function runArgs(ledger: string, handler: string, workers = 2): string[] {
  return ['run', '--ledger', ledger, '--handler', handler, '--workers', String(workers), '--no-tui'];
}

/** Waits until each process has ended or printed `pattern`; returns the ended ones' results. */
async function settle(runs: Started[], pattern: RegExp): Promise<Map<Started, Result>> {
  const ended = new Map<Started, Result>();
  await Promise.all(runs.map((run) => Promise.race([
    run.done.then((result) => void ended.set(run, result)),
    run.waitFor(pattern).catch(() => run.done.then((result) => void ended.set(run, result))),
  ])));
  return ended;
}

describe('20 runners started at once on one ledger', () => {
  it('exactly one runs; the others exit 3 naming it and change nothing', async () => {
    const dir = tempDir();
    const ledger = writeLedger(dir, gridJobs(30, 1, {}, { videosIn: dir }));
    const release = join(dir, 'release');
    const env = { DAYCAP_TEST_RELEASE_FILE: release };
    const csvBefore = readFileSync(ledger);
    const runs = Array.from({ length: 20 }, () => start(runArgs(ledger, WAIT_FOR_FILE), { cwd: dir, env }));
    // The holder's posts wait for the release file, so it is still running when every loser has ended.
    const ended = await settle(runs, /claimed job/);
    const winners = runs.filter((run) => !ended.has(run));
    expect(winners).toHaveLength(1);
    const winner = winners[0]!;
    for (const [, result] of ended) {
      expect(result.code, result.stderr).toBe(EXIT.LOCKED);
      const named = IN_USE.exec(result.stderr);
      expect(named, result.stderr).not.toBeNull();
      expect(Number(named![2])).toBe(winner.child.pid);
      expect(named![3]).toBe(hostname());
      expect(result.stdout).not.toMatch(/claimed job/);
    }
    // The losers wrote nothing: the CSV is as it was (the holder only journals until it ends).
    expect(readFileSync(ledger).equals(csvBefore)).toBe(true);
    writeFileSync(release, '');
    const result = await winner.done;
    expect(result.code, result.stdout + result.stderr).toBe(EXIT.OK);

    // The day is what a run of one gives: every job posted once, by that one run.
    const rows = (await readLedgerView(ledger)).jobs;
    expect(rows).toHaveLength(30);
    expect(rows.every((row) => row.status === 'success' && row.attempts === 1 && row.video_id === `w-${row.job_id}`)).toBe(true);
    expect(new Set(rows.map((row) => row.run_id)).size).toBe(1);
    expect(sealedJournals(ledger)).toHaveLength(1);
  });
});

/** A day of `accounts` jobs whose run was killed with SIGKILL holding the lock and two claims; posts wait for `release`. */
async function killedHolder(accounts: number) {
  const dir = tempDir();
  const ledger = writeLedger(dir, gridJobs(accounts, 1, {}, { videosIn: dir }));
  const release = join(dir, 'release');
  const env = { DAYCAP_TEST_RELEASE_FILE: release };
  const first = start(runArgs(ledger, WAIT_FOR_FILE), { cwd: dir, env });
  await first.waitFor(/claimed job[\s\S]*claimed job/);
  first.child.kill('SIGKILL');
  await first.done;
  return { dir, ledger, release, env, killedPid: first.child.pid! };
}

describe('a runner killed with SIGKILL', () => {
  it('is replaced at once by the next runner, which says it took over the lock', async () => {
    const { dir, ledger, release, env, killedPid } = await killedHolder(6);
    writeFileSync(release, '');
    // Without DAYCAP_LOCK_STALE_MS: the default stale time is 20 s, but a holder known dead is not waited for.
    const second = await daycap(runArgs(ledger, WAIT_FOR_FILE), { cwd: dir, env });
    expect(second.code, second.stdout + second.stderr).toBe(EXIT.JOBS_LEFT);
    expect(second.stdout).toMatch(new RegExp(`WARNING took over the ledger lock from pid ${killedPid} on host \\S+ \\(daycap run, since [^)]*\\), which stopped without releasing it`));
    // The two claims of the killed run may have posted (G5): unconfirmed, not run again.
    const rows = (await readLedgerView(ledger)).jobs;
    expect(rows.filter((row) => row.status === 'unconfirmed')).toHaveLength(2);
    expect(rows.filter((row) => row.status === 'success')).toHaveLength(4);
  });

  it('20 runners racing to take over from it: exactly one wins', async () => {
    const { dir, ledger, release, env } = await killedHolder(30);
    const runs = Array.from({ length: 20 }, () => start(runArgs(ledger, WAIT_FOR_FILE), { cwd: dir, env }));
    const ended = await settle(runs, /claimed job/);
    const winners = runs.filter((run) => !ended.has(run));
    const codes = [...ended.values()].map((result) => result.code);
    expect(winners.length, `exit codes of the others: ${codes.join(' ')}`).toBe(1);
    for (const [, result] of ended) {
      expect(result.code, result.stdout + result.stderr).toBe(EXIT.LOCKED);
      expect(result.stderr).toMatch(IN_USE);
    }
    writeFileSync(release, '');
    const result = await winners[0]!.done;
    expect(result.code, result.stdout + result.stderr).toBe(EXIT.JOBS_LEFT);
    expect(result.stdout).toMatch(/WARNING took over the ledger lock from pid \d+/);
    const rows = (await readLedgerView(ledger)).jobs;
    expect(rows.filter((row) => row.status === 'unconfirmed')).toHaveLength(2);
    expect(rows.filter((row) => row.status === 'success')).toHaveLength(28);
  });
});

describe('a runner stopped (SIGSTOP) past the stale time, then continued', () => {
  it('writes nothing more once it knows its lock was taken over, and exits 5', async () => {
    const dir = tempDir();
    const ledger = writeLedger(dir, gridJobs(40, 1, {}, { videosIn: dir }));
    const record = join(dir, 'record.jsonl');
    const release = join(dir, 'release');
    const env = { DAYCAP_LOCK_STALE_MS: '2000', DAYCAP_RECORD_FILE: record, DAYCAP_DELAY_MAX_MS: '800', DAYCAP_TEST_RELEASE_FILE: release };
    const first = start(runArgs(ledger, RECORDING, 4), { cwd: dir, env });
    await first.waitFor(/posted job/);
    first.child.kill('SIGSTOP');
    // Past the stale time: the lock's mtime is no longer refreshed.
    await until(() => statSync(lockPath(ledger)).mtimeMs < Date.now() - 2500, 50);
    const second = start(runArgs(ledger, WAIT_FOR_FILE, 4), { cwd: dir, env });
    await second.waitFor(/took over the ledger lock[\s\S]*(claimed job[\s\S]*){4}/);
    // The second run now waits in its handlers: its files stay as they are until the release.
    const quiet = (rel: string) => rel.endsWith('record.jsonl') || rel.endsWith('control.sock');
    const before = fileTree(dir, quiet);
    first.child.kill('SIGCONT');
    const stopped = await first.done;
    expect(stopped.code, stopped.stdout + stopped.stderr).toBe(EXIT.STORAGE);
    expect(stopped.stdout + stopped.stderr).toMatch(/the ledger lock was lost/);
    expect(treeDiff(before, fileTree(dir, quiet))).toEqual([]);

    writeFileSync(release, '');
    const result = await second.done;
    expect(result.code, result.stdout + result.stderr).toBe(EXIT.JOBS_LEFT);
    // The first run's jobs in flight were left unconfirmed by the second, and never posted twice.
    const rows = (await readLedgerView(ledger)).jobs;
    const calls = readRecord(record);
    expect(recordProblems(calls, 1)).toEqual([]);
    for (const call of calls.filter((c) => c.ok)) expect(['success', 'unconfirmed']).toContain(rows.find((row) => row.job_id === call.job_id)?.status);
    expect(rows.filter((row) => row.status === 'unconfirmed').length).toBeGreaterThan(0);
  });
});

/**
 * Disk faults at runner level (docs/testing.md, the disk-fault suite). A fault-injecting file layer fails the Nth
 * call of one operation (write, fdatasync, fsync, rename, fsyncDir, open) once, or persistently from
 * the Nth on, with EIO or ENOSPC, under a real run (worker threads, a real ledger in a temp folder).
 * After each run the files are read back with the real file layer, and:
 *
 *  - no outcome was reported as saved when it was not: every job-claimed / job-done / job-failed /
 *    job-retrying / job-unconfirmed event's row is a whole record of a journal on disk;
 *  - the last good ledger is intact and readable (it parses, validates, has every job, no temp file);
 *  - the runner stopped claiming and said why (a `warning` naming the error code, then no claim;
 *    run-ended with reason 'storage-failed' and exit code 5);
 *  - a failed fdatasync was never retried as if it had worked (no later write or sync of that
 *    journal in the run);
 *  - with the disk fixed, a second run finishes the day: no job posted twice, every post recorded
 *    by the handler is `success` or `unconfirmed`, no account over its cap.
 *
 * `npm test` runs one fault position per (operation, mode, code) in one scenario; `npm run
 * test:faults` (or DAYCAP_FAULTS_FULL=1) runs every position (first, second, middle and last call)
 * in both scenarios, about 160 runs.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it, vi } from 'vitest';

import { CAPPED_STATUSES, newJob, type Job } from '../../src/core/job.js';
import { StorageError } from '../../src/errors.js';
import { Journal, scanJournal } from '../../src/ledger/journal.js';
import { journalPath, sealedJournalsDir, stateDir } from '../../src/ledger/paths.js';
import { readLedgerFile, readLedgerView } from '../../src/ledger/store.js';
import { validateLedger } from '../../src/ledger/validate.js';
import { replay } from '../../src/ledger/replay.js';
import { EXIT } from '../../src/runner/exit-codes.js';
import type { RunEvent } from '../../src/runner/events.js';
import { Runner } from '../../src/runner/runner.js';
import { daycap, hasStack, type Result } from '../helpers/cli.js';
import { FaultyOps } from '../helpers/file-faults.js';
import { writeFaultPreload } from '../helpers/fault-preload.js';
import { tempDir } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { writeLedger, writeVideosOf } from '../helpers/ledgers.js';
import { readRecord, recordIn, recordProblems, RECORDING } from '../helpers/recording.js';

type FaultOp = 'write' | 'fdatasync' | 'fsync' | 'rename' | 'fsyncDir' | 'open';
type FaultMode = 'once' | 'persistent';
type FaultCode = 'EIO' | 'ENOSPC';
interface FaultPlan {
  op: FaultOp;
  nth: number;
  mode: FaultMode;
  code: FaultCode;
}

const ACCOUNTS = 16;
const CAP = 1;

/**
 * Two jobs per account (cap 1: the second stays pending). Jobs job-0-0..job-2-0 fail once and have
 * one attempt (job-failed); job-3-0 and job-4-0 fail once and are retried (job-retrying, job-done).
 */
function dayJobs(): Job[] {
  const jobs = gridJobs(ACCOUNTS, 2).map((job) => (/^job-[0-2]-0$/.test(job.job_id) ? { ...job, max_attempts: 1 } : job));
  // A claim left by a run that died: start-up makes it unconfirmed, the first thing journaled.
  jobs.push(newJob({ job_id: 'orphan-15', account: 'acct15', video_path: 'v/orphan.mp4', status: 'claimed', worker_id: '0', claimed_at: '2025-12-14T08:00:00.000Z', run_id: 'dead01', pass_number: 1 }));
  return jobs;
}
const FAIL_ENV = { DAYCAP_FAIL_PATTERN: '^job-[0-4]-0$', DAYCAP_FAIL_ATTEMPTS: '1' };

interface Scenario {
  name: string;
  /**
   * 'steady': the real clock, so the CSV is written once, at the end of the run.
   * 'fast-clock': a clock that moves 2 s per reading, so the 30 s snapshot rule fires every few
   * commits and faults land in snapshots written mid-run too.
   */
  clock?: () => () => number;
}

const SCENARIOS: Scenario[] = [
  { name: 'steady' },
  {
    name: 'fast-clock',
    clock: () => {
      let t = Date.now();
      return () => (t += 2000);
    },
  },
];

interface RunResult {
  dir: string;
  ledger: string;
  original: Buffer;
  ops: FaultyOps;
  events: RunEvent[];
  result?: { exitCode: number; reason: string };
  openError?: unknown;
  runError?: unknown;
  recordFile: string;
  /** The run's clock when it ended: a fast clock has written times ahead of the real one. */
  clockEnd: number;
}

async function runOnce(scenario: Scenario, plan: FaultPlan | undefined): Promise<RunResult> {
  const dir = tempDir('daycap-disk-');
  const ledger = writeLedger(dir, dayJobs());
  const original = readFileSync(ledger);
  // Worker threads copy the environment when they start: set it before the pool exists.
  const recordFile = recordIn(dir);
  for (const [name, value] of Object.entries(FAIL_ENV)) vi.stubEnv(name, value);
  const ops = new FaultyOps(plan);
  const events: RunEvent[] = [];
  const clock = scenario.clock?.() ?? Date.now;
  const out: RunResult = { dir, ledger, original, ops, events, recordFile, clockEnd: 0 };
  let runner: Runner;
  try {
    runner = await Runner.open({
      ledger, handler: { kind: 'module', path: RECORDING }, workers: 4, cap: CAP, retryDelayMs: 20, maxPasses: 3,
      fileOps: ops, controlSocket: false, watchLedger: false, runId: 'faulty', clock,
    });
  } catch (error) {
    out.openError = error;
    return out;
  }
  runner.events.onAny((event) => events.push(event));
  // A run that never ends is a failure of its own; say where it stood rather than only time out.
  const watchdog = setTimeout(() => {
    console.error(`run stuck (${plan ? `${plan.op} #${plan.nth} ${plan.mode} ${plan.code}` : 'clean'}): last events`, events.slice(-8).map((e) => e.type), 'last calls', ops.log.slice(-8));
  }, 20_000);
  try {
    out.result = await runner.run();
  } catch (error) {
    out.runError = error;
  } finally {
    clearTimeout(watchdog);
    out.clockEnd = clock();
  }
  return out;
}

/** Every whole journal record on disk (sealed journals and the active one), read with the real file layer. */
function journalRecords(ledger: string): Job[] {
  const files: string[] = [];
  const sealed = sealedJournalsDir(ledger);
  if (existsSync(sealed)) for (const name of readdirSync(sealed).sort()) if (name.endsWith('.jsonl')) files.push(join(sealed, name));
  if (existsSync(journalPath(ledger))) files.push(journalPath(ledger));
  return files.flatMap((file) => scanJournal(readFileSync(file), file).jobs);
}

/** The CSV with the records of the active journal that were synced replayed on top. */
function durableRows(run: RunResult, csv: readonly Job[]): Job[] {
  const path = journalPath(run.ledger);
  if (!existsSync(path)) return [...csv];
  const synced = readFileSync(path).subarray(0, run.ops.synced.get(path) ?? 0);
  return replay(csv, scanJournal(synced, path).jobs);
}

const OUTCOME_EVENTS = new Set(['job-claimed', 'job-done', 'job-failed', 'job-retrying', 'job-unconfirmed']);

function eventJob(event: RunEvent): Job | undefined {
  return OUTCOME_EVENTS.has(event.type) ? (event as unknown as { job: Job }).job : undefined;
}

/** The checks that hold whether or not the fault fired. Returns whether it fired. */
async function checkRun(run: RunResult, plan: FaultPlan): Promise<boolean> {
  const label = `${plan.op} #${plan.nth} ${plan.mode} ${plan.code}`;
  const fired = run.ops.firstFault !== undefined;
  expect(run.openError, `${label}: Runner.open threw`).toBeUndefined();
  expect(run.runError, `${label}: run() rejected instead of ending with a reason`).toBeUndefined();
  const result = run.result!;

  // 1. Nothing reported as saved that is not on disk: each reported row is a whole journal record.
  const records = journalRecords(run.ledger);
  const recorded = new Set(records.map((job) => JSON.stringify(job)));
  for (const event of run.events) {
    const job = eventJob(event);
    if (!job) continue;
    expect(recorded.has(JSON.stringify(job)), `${label}: ${event.type} for ${job.job_id} was reported but is not in any journal`).toBe(true);
  }

  // 2. The ledger is intact and readable with the real file layer; no temp file is left behind.
  const file = await readLedgerFile(run.ledger);
  // Until a snapshot has been renamed into place, the CSV is exactly the one the day started with.
  if (!run.ops.log.some((c) => c.op === 'rename' && c.target === run.ledger && !c.failed)) expect(file.bytes.equals(run.original), `${label}: CSV changed without a snapshot`).toBe(true);
  expect(file.parsed?.jobs.map((j) => j.job_id).sort(), label).toEqual(dayJobs().map((j) => j.job_id).sort());
  const validation = await validateLedger(run.ledger);
  expect(validation.ok, `${label}: ${validation.ok ? '' : validation.error.message}`).toBe(true);
  const view = await readLedgerView(run.ledger);
  expect(view.jobs).toHaveLength(dayJobs().length);
  expect(readdirSync(run.dir).filter((name) => name.endsWith('.tmp')), label).toEqual([]);
  // Every reported outcome is what the ledger (CSV + journal) says now, or the job moved on since.
  const finalRows = new Map(view.jobs.map((job) => [job.job_id, job]));
  for (const event of run.events) {
    const job = eventJob(event);
    if (!job || event.type === 'job-claimed') continue;
    const now = finalRows.get(job.job_id)!;
    if (now.attempts === job.attempts && event.type !== 'job-retrying') expect(now.status, `${label}: ${job.job_id}`).toBe(job.status);
    else expect(now.attempts, `${label}: ${job.job_id}`).toBeGreaterThanOrEqual(job.attempts);
  }

  if (!fired) {
    expect(result.reason, label).toBe('done');
    return false;
  }

  // 3. The runner stopped and said why.
  expect(result.reason, label).toBe('storage-failed');
  expect(result.exitCode, label).toBe(EXIT.STORAGE);
  const ended = run.events.filter((e) => e.type === 'run-ended');
  expect(ended, label).toHaveLength(1);
  expect(ended[0]).toMatchObject({ reason: 'storage-failed', exitCode: EXIT.STORAGE });
  // The summary counts what is durable: the CSV and the journal records a sync made durable, never
  // outcomes the disk refused (a record written but not synced is not durable, though a reader sees it).
  const durable: Record<string, number> = { pending: 0, claimed: 0, success: 0, retrying: 0, failed: 0, skipped: 0, unconfirmed: 0 };
  for (const job of durableRows(run, file.parsed?.jobs ?? [])) durable[job.status] = (durable[job.status] ?? 0) + 1;
  expect((ended[0] as { summary: { counts: Record<string, number> } }).summary.counts, `${label}: run-ended counts`).toEqual(durable);
  const warningAt = run.events.findIndex((e) => e.type === 'warning' && e.message.includes(plan.code));
  expect(warningAt, `${label}: no warning names ${plan.code}: ${JSON.stringify(run.events.filter((e) => e.type === 'warning'))}`).toBeGreaterThanOrEqual(0);
  expect(run.events.slice(warningAt).filter((e) => e.type === 'job-claimed'), `${label}: claimed after the failure`).toEqual([]);

  // 4. A failed journal write or sync poisons the journal: nothing more is written to it or synced.
  //    And whatever failed, no snapshot of the CSV is begun after the failure was returned
  //    (writeFileAtomic starts with a stat of the ledger). One already under way may finish: it holds
  //    only durable rows (a step whose records are still being synced is left out of it).
  const fault = run.ops.log[run.ops.firstFault!]!;
  const later = run.ops.log.slice(run.ops.faultReturnedAt!);
  expect(later.filter((c) => c.op === 'stat' && c.target === run.ledger), `${label}: a snapshot was begun after the failure`).toEqual([]);
  if (fault.target === journalPath(run.ledger) && (fault.op === 'write' || fault.op === 'fdatasync')) {
    const after = run.ops.log.slice(run.ops.firstFault! + 1).filter((c) => c.target === fault.target && (c.op === 'write' || c.op === 'fdatasync'));
    expect(after, `${label}: the journal was used again after a failed ${fault.op}`).toEqual([]);
  }
  return true;
}

/** With the disk fixed (the real file layer), a second run finishes the day without a double post. */
async function checkSecondRun(run: RunResult, label: string): Promise<void> {
  // Carry on from where the first run's clock was, so that its retry times are not in the future.
  const offset = Math.max(0, run.clockEnd - Date.now()) + 1000;
  const runner = await Runner.open({
    ledger: run.ledger, handler: { kind: 'module', path: RECORDING }, workers: 4, cap: CAP, retryDelayMs: 20, maxPasses: 3,
    controlSocket: false, watchLedger: false, runId: 'second', clock: () => Date.now() + offset,
  });
  const events: string[] = [];
  runner.events.onAny((event) => events.push(event.type));
  const watchdog = setTimeout(() => console.error(`second run stuck (${label}): last events`, events.slice(-8)), 20_000);
  const { reason } = await runner.run().finally(() => clearTimeout(watchdog));
  expect(reason, label).toBe('done');
  const view = await readLedgerView(run.ledger);
  expect(view.journalRecords, label).toBe(0);
  const rows = new Map(view.jobs.map((job) => [job.job_id, job]));
  const calls = readRecord(run.recordFile);
  expect(recordProblems(calls, CAP), label).toEqual([]);
  for (const call of calls.filter((c) => c.ok)) {
    const status = rows.get(call.job_id)?.status;
    expect(['success', 'unconfirmed'], `${label}: ${call.job_id} was posted but is ${status}`).toContain(status);
  }
  const perAccount = new Map<string, number>();
  for (const job of view.jobs) if (CAPPED_STATUSES.has(job.status)) perAccount.set(job.account, (perAccount.get(job.account) ?? 0) + 1);
  for (const [account, count] of perAccount) expect(count, `${label}: ${account} over its cap`).toBeLessThanOrEqual(CAP);
  // Nothing left claimed by either run, and every account has its post or an unconfirmed claim.
  expect(view.jobs.filter((job) => job.status === 'claimed'), label).toEqual([]);
}

// ---------------------------------------------------------------------------------------------

// `npm run test:faults` (npm names the script in npm_lifecycle_event) or DAYCAP_FAULTS_FULL=1.
const FULL = process.env.DAYCAP_FAULTS_FULL === '1' || process.env.npm_lifecycle_event === 'test:faults';
const OPS: FaultOp[] = ['write', 'fdatasync', 'fsync', 'rename', 'fsyncDir', 'open'];
const MODES: FaultMode[] = ['once', 'persistent'];
const CODES: FaultCode[] = ['EIO', 'ENOSPC'];
const tally = { planned: 0, fired: 0, injected: 0 };

afterAll(() => {
  // The figure docs/testing.md quotes ("faults injected").
  if (tally.planned > 0) console.log(`disk faults: ${tally.fired} of ${tally.planned} planned fault runs fired, ${tally.injected} failing calls injected`);
});

/** Where each operation's calls fall in a clean run of the scenario, to aim faults at. */
async function positions(scenario: Scenario): Promise<Record<FaultOp, number[]>> {
  const clean = await runOnce(scenario, undefined);
  expect(clean.result?.reason, String(clean.openError ?? clean.runError)).toBe('done');
  const out = {} as Record<FaultOp, number[]>;
  for (const op of OPS) {
    const calls = clean.ops.count(op);
    // The first call, the second, one in the middle and the last (the end-of-run snapshot or seal).
    out[op] = [...new Set([1, 2, Math.ceil(calls / 2), calls].filter((n) => n >= 1))];
  }
  return out;
}

for (const scenario of FULL ? SCENARIOS : SCENARIOS.slice(0, 1)) {
  describe(`disk faults under a run (${scenario.name})`, () => {
    let where: Record<FaultOp, number[]> | undefined;
    const aim = async (op: FaultOp, pick: number): Promise<number[]> => {
      where ??= await positions(scenario);
      const all = where[op];
      return FULL ? all : [all[pick % all.length]!];
    };

    let pick = 0;
    for (const op of OPS) {
      for (const mode of MODES) {
        for (const code of CODES) {
          const choice = pick++;
          it(`${op} fails ${mode === 'once' ? 'once' : 'from then on'} with ${code}`, async () => {
            const nths = await aim(op, choice);
            expect(nths.length, `a clean run never calls ${op}`).toBeGreaterThan(0);
            for (const nth of nths) {
              const plan = { op, nth, mode, code };
              const run = await runOnce(scenario, plan);
              tally.planned += 1;
              const fired = await checkRun(run, plan);
              if (fired) {
                tally.fired += 1;
                tally.injected += run.ops.faults;
              }
              await checkSecondRun(run, `${op} #${nth} ${mode} ${code}, second run`);
            }
          });
        }
      }
    }
  });
}

describe('a failed fdatasync is never taken for a success (the journal is poisoned)', () => {
  for (const code of CODES) {
    it(`${code}: the failing batch, appends queued behind it and every later append reject, though the fault was once`, async () => {
      const dir = tempDir('daycap-disk-');
      const path = join(dir, 'journal.jsonl');
      const ops = new FaultyOps({ op: 'fdatasync', nth: 2, mode: 'once', code });
      const journal = await Journal.open(path, ops);
      const jobs = dayJobs();
      await journal.append([jobs[0]!]);
      const failing = journal.append([jobs[1]!]);
      const queued = journal.append([jobs[2]!]);
      await expect(failing).rejects.toBeInstanceOf(StorageError);
      await expect(queued).rejects.toBeInstanceOf(StorageError);
      await expect(journal.append([jobs[3]!])).rejects.toThrow(code);
      expect(journal.poisoned).toBe(true);
      expect(journal.records).toBe(1);
      // Only one fdatasync after the first: the failed one. Nothing was synced again "to make sure".
      expect(ops.count('fdatasync')).toBe(2);
      await journal.close();
    });
  }
});

describe('the CLI under a full disk', () => {

  async function cli(fault: string) {
    const dir = tempDir('daycap-disk-cli-');
    const preload = writeFaultPreload(dir);
    const jobs = dayJobs();
    const ledger = writeLedger(dir, jobs);
    // Real videos, relative to the ledger's folder, so the run's pre-flight lets it start.
    writeVideosOf(ledger);
    const original = readFileSync(ledger);
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--workers', '2', '--no-tui'], {
      cwd: dir, env: { NODE_OPTIONS: `--import=${preload}`, DAYCAP_TEST_FAULT: fault },
    });
    return { dir, ledger, original, result };
  }

  // The run ends with exit 5, and its log says why without a stack trace: a WARNING line naming the
  // error, then the end line with reason storage-failed. (It is written to stdout with the other
  // log lines, not to stderr.)
  const endedForStorage = (result: Result, code: string) => {
    expect(result.code, result.stderr + result.stdout).toBe(EXIT.STORAGE);
    const output = result.stdout + result.stderr;
    expect(output).toMatch(new RegExp(`WARNING could not write the (journal|ledger): .*${code}`));
    expect(output).toMatch(/ended \(storage-failed\).*exit code 5/);
    expect(hasStack(result.stderr)).toBe(false);
    expect(hasStack(result.stdout)).toBe(false);
  };

  it('ENOSPC on the journal\'s third sync: exit 5, a short message naming the error, the ledger as it was', async () => {
    const { ledger, original, result } = await cli('datasync:2:ENOSPC');
    endedForStorage(result, 'ENOSPC');
    expect(result.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(4);
    // The CSV was never rewritten; the journal holds the two synced batches and nothing is lost.
    expect(readFileSync(ledger)).toEqual(original);
    expect((await validateLedger(ledger)).ok).toBe(true);
    const view = await readLedgerView(ledger);
    expect(view.jobs).toHaveLength(dayJobs().length);
    expect(existsSync(stateDir(ledger))).toBe(true);
  });

  it('EIO renaming the end-of-run snapshot into place: exit 5, the old ledger intact, the journal kept for the next run', async () => {
    const { ledger, original, result } = await cli('rename:progress.csv:EIO');
    endedForStorage(result, 'EIO');
    expect(readFileSync(ledger)).toEqual(original);
    expect(readdirSync(join(ledger, '..')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    // Every outcome is in the journal: the view has the posts although the CSV does not.
    const view = await readLedgerView(ledger);
    expect(view.jobs.filter((job) => job.status === 'success').length).toBeGreaterThan(0);
  });
});

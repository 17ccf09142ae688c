/**
 * A day shared by several `daycap run` processes on one database ledger, for the fault suites of
 * the PostgreSQL store (test/faults/pg-*.ts): the day itself, its runner processes, and the one
 * set of rules checked after every fault, from the ledger's rows and the recording handler's own
 * fsync'd record of every post (the independent truth), never from daycap's own view:
 *
 * - every job of the day is in the ledger, once;
 * - no account has more jobs in success + claimed + unconfirmed than the cap (G1, in the database);
 * - no account has more recorded posts than the cap, no job was posted twice, no two calls for one
 *   account overlapped (G1, G5, G2: test/helpers/recording.ts);
 * - every recorded post is `success`, `unconfirmed` or still `claimed` by a run (then its lease
 *   makes it `unconfirmed`), never pending, retrying, failed or lost (G3); every `success` was posted;
 * - at the end of the day (the handler's verify answers from the record): every job `success`.
 */
import pg from 'pg';
import { importLedger } from '../../src/api/transfer.js';
import type { Job } from '../../src/core/job.js';
import { ledgerAt } from '../../src/store/open.js';
import { start, type Result, type Started } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { writeLedger } from '../helpers/ledgers.js';
import { pgLedgerUrl } from '../helpers/pg.js';
import { readRecord, recordProblems, RECORDING_VERIFY, type RecordedPost } from '../helpers/recording.js';
import { ledgerProblems } from './crash.js';

export interface SharedScenario {
  name: string;
  accounts: number;
  /** Jobs per account; at most the cap, so that a finished day is all `success`. */
  perAccount: number;
  cap: number;
  /** Runner processes at once, and worker threads in each. */
  runners: number;
  workers: number;
  /** Each post waits a random 0..N ms, so that faults land while posts are in flight. */
  delayMaxMs: number;
  /** Jobs whose id matches fail their first attempt (retried 50 ms later, on any host). */
  failPattern?: string;
  /** DAYCAP_LEASE_MS and DAYCAP_DB_RETRY_MS for every run. */
  leaseMs: number;
  dbRetryMs: number;
}

export class SharedFaultFailure extends Error {}

/** One day: a database ledger seeded with a grid of jobs, and the record of the recording handler. */
export interface SharedDay {
  scenario: SharedScenario;
  dir: string;
  url: string;
  record: string;
  jobs: Job[];
}

/** A new day on the suite's PostgreSQL, or on `server` (a server of the test's own). */
export async function newSharedDay(scenario: SharedScenario, name: string, server?: string): Promise<SharedDay> {
  const dir = tempDir('daycap-shared-');
  const jobs = gridJobs(scenario.accounts, scenario.perAccount, {}, { videosIn: dir });
  const url = server === undefined ? pgLedgerUrl(name) : pgLedgerUrl(name, undefined, server);
  await importLedger({ ledger: url, from: writeLedger(dir, jobs), now: Date.now() });
  return { scenario, dir, url, record: `${dir}/record.jsonl`, jobs };
}

/** A runner process of the day, and what it has printed so far. */
export interface Runner {
  run: Started;
  pid: number;
  spawnedAt: number;
  stdout(): string;
  /** How many lines matching `pattern` it has printed. */
  count(pattern: RegExp): number;
  /** Resolves once it has printed `n` lines matching `pattern`, or has ended. */
  printed(pattern: RegExp, n: number): Promise<void>;
  ended: boolean;
  result: Promise<Result>;
}

/** Starts `daycap run` on the day with the recording handler (verify answers from the record) unless `handler` says otherwise. */
export function startRunner(day: SharedDay, options: { handler?: string; env?: Record<string, string> } = {}): Runner {
  const { scenario } = day;
  const env: Record<string, string> = {
    DAYCAP_RECORD_FILE: day.record, DAYCAP_DELAY_MAX_MS: String(scenario.delayMaxMs),
    DAYCAP_LEASE_MS: String(scenario.leaseMs), DAYCAP_DB_RETRY_MS: String(scenario.dbRetryMs),
    ...(scenario.failPattern ? { DAYCAP_FAIL_PATTERN: scenario.failPattern, DAYCAP_FAIL_ATTEMPTS: '1' } : {}),
    ...options.env,
  };
  const args = ['run', '--ledger', day.url, '--handler', options.handler ?? RECORDING_VERIFY, '--workers', String(scenario.workers),
    '--cap', String(scenario.cap), '--retry-delay', '50ms', '--grace', '200ms', '--no-tui'];
  const run = start(args, { cwd: day.dir, env });
  let out = '';
  const waiters: Array<() => void> = [];
  run.child.stdout.on('data', (chunk: string) => {
    out += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  const runner: Runner = {
    run, pid: run.child.pid!, spawnedAt: Date.now(), ended: false,
    stdout: () => out,
    count: (pattern) => out.match(new RegExp(pattern.source, 'g'))?.length ?? 0,
    printed: async (pattern, n) => {
      while (!runner.ended && runner.count(pattern) < n) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    result: run.done.then((result) => {
      runner.ended = true;
      for (const wake of waiters.splice(0)) wake();
      return result;
    }),
  };
  return runner;
}

/** What the rules are checked on: the rows (one snapshot) and the record read after them. */
export interface Evidence {
  rows: Job[];
  calls: RecordedPost[];
  /** Calls that ended before this instant must show in the rows (later ones may not be reported yet). */
  settledBefore: number;
}

/** Reads the rows, then the record (so every `success` read has its record line). */
export async function gather(day: SharedDay): Promise<Evidence> {
  const settledBefore = Date.now();
  const rows = (await ledgerAt(day.url).read()).jobs;
  return { rows, calls: readRecord(day.record), settledBefore };
}

/**
 * The rules, as a pure function of the evidence: `running` while runs go on (claims allowed),
 * `done` once the day is over (every job `success`).
 */
export function sharedDayProblems(evidence: Evidence, jobs: readonly Job[], cap: number, when: 'running' | 'done'): string[] {
  const { rows, calls, settledBefore } = evidence;
  const { problems, byId } = ledgerProblems(rows, jobs, cap);
  problems.push(...recordProblems(calls, cap));
  const posted = new Set(calls.filter((call) => call.ok).map((call) => call.job_id));
  const allowed = when === 'done' ? ['success'] : ['success', 'unconfirmed', 'claimed'];
  for (const call of calls) {
    if (!call.ok || call.end >= settledBefore) continue;
    const status = byId.get(call.job_id)?.status;
    if (!status || !allowed.includes(status)) problems.push(`job ${call.job_id} was posted (by pid ${call.pid}) but the ledger says ${status ?? 'nothing'} (G3)`);
  }
  for (const row of rows) if (row.status === 'success' && !posted.has(row.job_id)) problems.push(`job ${row.job_id} is success but was never posted`);
  if (when === 'done') for (const row of rows) if (row.status !== 'success') problems.push(`job ${row.job_id} ends the day ${row.status}, not success`);
  return problems;
}

/** Checks the rules now; throws SharedFaultFailure with the context and the runners' last output. */
export async function expectSharedRules(day: SharedDay, when: 'running' | 'done', context: string, runners: readonly Runner[] = []): Promise<void> {
  const problems = sharedDayProblems(await gather(day), day.jobs, day.scenario.cap, when);
  if (problems.length === 0) return;
  const more = problems.length > 20 ? `\n  (and ${problems.length - 20} more)` : '';
  throw new SharedFaultFailure(`${context} (${day.scenario.name}, folder ${day.dir}):\n  ${problems.slice(0, 20).join('\n  ')}${more}${outputs(runners)}`);
}

/** Waits for runners to end by themselves; a run still going after `hangMs` is a hang (not a timing assertion: it is reported with its output). */
export async function ended(runners: readonly Runner[], context: string, hangMs = 90_000, day?: SharedDay): Promise<Result[]> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), hangMs)));
  const all = await Promise.race([Promise.all(runners.map((runner) => runner.result)), hang]);
  clearTimeout(timer);
  if (all === 'hang') {
    const seen = day ? await sessions(day) : '';
    for (const runner of runners) runner.run.child.kill('SIGKILL');
    throw new SharedFaultFailure(`${context}: a run was still going after ${hangMs / 1000} s${outputs(runners)}${seen}`);
  }
  return all;
}

/** What every session of the day's server is doing: shown with a hang, to tell what waits for what. */
export async function sessions(day: SharedDay): Promise<string> {
  const url = new URL(day.url);
  url.search = '';
  url.hash = '';
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    const result = await client.query<Record<string, unknown>>(
      `SELECT pid, application_name AS app, state, wait_event_type AS wait_type, wait_event AS wait, (now() - xact_start)::text AS in_transaction, left(query, 90) AS query
       FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() ORDER BY xact_start NULLS LAST`,
    );
    return `\n--- sessions ---\n${result.rows.map((row) => JSON.stringify(row)).join('\n')}`;
  } catch (error) {
    return `\n--- sessions: ${String(error)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function outputs(runners: readonly Runner[]): string {
  return runners.map((runner) => `\n--- pid ${runner.pid} (tail) ---\n${tail(runner.stdout())}`).join('');
}

export function tail(text: string, lines = 15): string {
  return text.split('\n').slice(-lines).join('\n');
}

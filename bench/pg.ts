/**
 * `npm run bench:pg`: durable no-op jobs per second on a PostgreSQL ledger, with 1, 2 and 4 `daycap
 * run` processes on one server, beside Graphile Worker on the same server and the same jobs with one
 * job queue per account (so, like daycap, one job at a time per account). The server is the tests'
 * embedded PostgreSQL (bench/pg-server.ts) with fsync on: every commit reaches the disk. Each
 * configuration runs BENCH_PG_REPEATS times (default 2), daycap and Graphile Worker alternating, and
 * the table shows the median and the spread. Prints figures; asserts nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runMigrations } from 'graphile-worker';
import { startPostgres } from './pg-server.js';
import { writeRealisticLedger } from './realistic.js';

const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const graphileProcess = fileURLToPath(new URL('./graphile-worker-process.js', import.meta.url));
const noopHandler = fileURLToPath(new URL('../../bench/noop-handler.mjs', import.meta.url));

const JOBS = Number(process.env.BENCH_PG_JOBS ?? 20_000);
const RUNNERS = (process.env.BENCH_PG_RUNNERS ?? '1,2,4').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_PG_REPEATS ?? 2);
/** Jobs in flight per process, for both: daycap's worker threads, Graphile Worker's concurrency. */
const PER_PROCESS = Number(process.env.BENCH_PG_WORKERS ?? 4);
/**
 * Graphile Worker with one queue per account slows down with the number of queues (about 35 jobs/s
 * with 20,000 of them on the machine in bench/README.md): past this many seconds its run is cut
 * short and its rate is the jobs it finished over the time it took, marked with *.
 */
const GRAPHILE_LIMIT_S = Number(process.env.BENCH_PG_GRAPHILE_LIMIT_S ?? 120);
/** How often the parent looks whether Graphile Worker's jobs are all done: often enough for runs of seconds, rarely enough to cost nothing. */
const POLL_MS = 200;

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

interface Exit { code: number | null; stderr: string }

function start(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; exited: Promise<Exit> } {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
  return { child, exited };
}

async function daycap(args: readonly string[], cwd: string): Promise<void> {
  const { code, stderr } = await start([cli, ...args], cwd).exited;
  if (code !== 0) throw new Error(`daycap ${args[0]} exited ${code}: ${stderr}`);
}

/** The URL of ledger `name` in PostgreSQL schema `schema`. */
function ledgerUrl(server: string, schema: string, name: string): string {
  const url = new URL(server);
  url.searchParams.set('schema', schema);
  url.hash = name;
  return url.toString();
}

/**
 * Before each timed run: the previous run's schema dropped and its dirty pages written out, so
 * neither system pays for the other's leftovers (autovacuum, a checkpoint) while it is timed.
 */
async function cleanSlate(sql: pg.Client, previous: string | undefined): Promise<void> {
  if (previous) await sql.query(`DROP SCHEMA IF EXISTS "${previous}" CASCADE`);
  await sql.query('CHECKPOINT');
}

/** `processes` daycap runners on a freshly imported ledger, timed from their start until all have exited. */
async function daycapRun(server: string, sql: pg.Client, day: { dir: string; csv: string }, processes: number, round: number): Promise<number> {
  // Each run in a fresh schema of its own (dropped after it): tables of the size of one day.
  const name = 'bench';
  const schema = `daycap_${processes}_${round}`;
  const ledger = ledgerUrl(server, schema, name);
  await daycap(['import', '--ledger', ledger, '--from', day.csv], day.dir);
  await sql.query('CHECKPOINT');
  const args = [cli, 'run', '--ledger', ledger, '--handler', noopHandler, '--workers', String(PER_PROCESS), '--no-tui'];
  const started = performance.now();
  const exits = await Promise.all(Array.from({ length: processes }, () => start(args, day.dir).exited));
  const seconds = (performance.now() - started) / 1000;
  const failed = exits.find((exit) => exit.code !== 0);
  if (failed) throw new Error(`daycap run exited ${failed.code}: ${failed.stderr}`);
  const { rows } = await sql.query<{ done: string }>(`SELECT count(*) AS done FROM "${schema}".jobs WHERE ledger = $1 AND day = 0 AND status = 'success'`, [name]);
  if (Number(rows[0]!.done) !== JOBS) throw new Error(`daycap: expected ${JOBS} successes, found ${rows[0]!.done}`);
  await cleanSlate(sql, schema);
  return JOBS / seconds;
}

interface Rate { jobsPerSecond: number; cut: boolean }

/**
 * `processes` Graphile Worker processes on a fresh schema holding the jobs, timed from their start
 * until no job is left (or until GRAPHILE_LIMIT_S: then the jobs done so far over that time). With
 * `queues`, each job is in its account's queue, which runs one job at a time; without, jobs run in
 * any order and any number of one account's at once (no promise per account), for reference.
 */
async function graphileRun(server: string, sql: pg.Client, processes: number, round: number, queues: boolean): Promise<Rate> {
  const schema = `gw_${queues ? 'q' : 'n'}_${processes}_${round}`;
  await runMigrations({ connectionString: server, schema });
  // One queue per account: a queue runs one job at a time, the nearest thing to daycap's one in flight per account.
  await sql.query(`SELECT count(*) FROM "${schema}".add_jobs(ARRAY(
    SELECT ROW('noop', '{}'::json, CASE WHEN $2 THEN 'account-' || i END, NULL, NULL, NULL, NULL, NULL)::"${schema}".job_spec FROM generate_series(0, $1::int - 1) AS i))`, [JOBS, queues]);
  // Statistics of the full tables, as daycap's import leaves them: neither is timed with plans made for empty tables.
  await sql.query(`ANALYZE "${schema}"._private_jobs, "${schema}"._private_job_queues`);
  await sql.query('CHECKPOINT');
  const args = [graphileProcess, server, schema, String(PER_PROCESS)];
  const started = performance.now();
  const workers = Array.from({ length: processes }, () => start(args, process.cwd()));
  const early = Promise.race(workers.map((w) => w.exited)).then((exit) => {
    throw new Error(`a Graphile Worker process exited before the jobs were done (${exit.code}): ${exit.stderr}`);
  });
  // Graphile Worker deletes a job once it is done; the parent polls for none left.
  const done = (async (): Promise<Rate> => {
    for (;;) {
      const { rows } = await sql.query<{ left: string }>(`SELECT count(*) AS left FROM "${schema}"._private_jobs`);
      const seconds = (performance.now() - started) / 1000;
      const left = Number(rows[0]!.left);
      if (left === 0) return { jobsPerSecond: JOBS / seconds, cut: false };
      if (seconds >= GRAPHILE_LIMIT_S) return { jobsPerSecond: (JOBS - left) / seconds, cut: true };
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();
  const rate = await Promise.race([done, early]);
  early.catch(() => undefined);
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  await cleanSlate(sql, schema);
  return rate;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const cell = (xs: number[], cut = false) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})${cut ? ' *' : ''}`;

const server = await startPostgres({ noFsync: false });
const sql = new pg.Client({ connectionString: server.url });
try {
  await sql.connect();
  const version = (await sql.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  const dir = mkdtempSync(join(tmpdir(), 'daycap-bench-pg-'));
  const csv = join(dir, 'progress.csv');
  writeRealisticLedger(csv, JOBS);
  // The videos of a made-up day do not exist; the pre-flight would set every job aside.
  writeFileSync(join(dir, 'daycap.config.json'), JSON.stringify({ preflight: { checkVideos: false } }));

  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}, PostgreSQL ${version} (embedded, fsync on), ${process.platform}`);
  console.log(`${fmt(JOBS)} realistic jobs, one per account, no-op handler, ${PER_PROCESS} jobs in flight per process, ${REPEATS} runs each: median (min–max)\n`);
  console.log('runners | daycap jobs/s         | graphile-worker, queue per account | graphile-worker, no queues (no per-account promise)');
  const rates = (list: Rate[]) => cell(list.map((r) => r.jobsPerSecond), list.some((r) => r.cut));
  const each = (list: Rate[]) => list.map((r) => `${fmt(r.jobsPerSecond)}${r.cut ? '*' : ''}`).join(', ');
  let anyCut = false;
  for (const processes of RUNNERS) {
    const mine: number[] = [];
    const queued: Rate[] = [];
    const loose: Rate[] = [];
    for (let round = 0; round < REPEATS; round++) {
      mine.push(await daycapRun(server.url, sql, { dir, csv }, processes, round));
      queued.push(await graphileRun(server.url, sql, processes, round, true));
      loose.push(await graphileRun(server.url, sql, processes, round, false));
    }
    anyCut ||= [...queued, ...loose].some((r) => r.cut);
    console.log(`${String(processes).padEnd(7)} | ${cell(mine).padEnd(21)} | ${rates(queued).padEnd(34)} | ${rates(loose)}`);
    if (process.env.BENCH_PG_VERBOSE) console.log(`        each run: daycap ${mine.map((x) => fmt(x)).join(', ')}; queue per account ${each(queued)}; no queues ${each(loose)}`);
  }
  if (anyCut) console.log(`\n* Graphile Worker had not finished after ${GRAPHILE_LIMIT_S} s (BENCH_PG_GRAPHILE_LIMIT_S): the jobs it did over that time.`);
} finally {
  await sql.end().catch(() => undefined);
  await server.destroy();
}

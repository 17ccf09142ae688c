/**
 * Outages of a shared day, each checked with the rules of test/faults/shared-day.ts:
 *
 * - A host stopped (SIGSTOP) past its lease, then continued (SIGCONT), at a seeded moment of its
 *   claiming. Its posts sleep (fixtures/cli/handlers/slow.mjs) and post nothing: a post under way
 *   when a host stalls would go out when it resumes, after the others verified and posted that job
 *   (no lease can stop a handler already posting; docs/postgres.md#leases), so the stalled host holds
 *   its claims without posting, and the suite checks what daycap promises: the others adopt its
 *   claims as unconfirmed and verify settles them; once continued it writes nothing more (its lease
 *   is refused), claims nothing, names the jobs it could not record and exits 5.
 * - PostgreSQL restarted mid-run, within the runs' retry window (they carry on), or stopped for
 *   longer (every run stops with exit 5; once it is back, new runs finish the day).
 */
import pg from 'pg';
import { SLOW_HANDLER } from '../helpers/cli.js';
import type { PostgresServer } from '../helpers/pg-server.js';
import { rng } from '../helpers/random.js';
import { ended, expectSharedRules, sessions, newSharedDay, outputs, SharedFaultFailure, startRunner, type Runner, type SharedDay, type SharedScenario } from './shared-day.js';

const CLAIMED = /claimed job (\S+)/g;

export interface StopReport {
  /** Jobs the stopped host held, and what became of its run. */
  held: number;
  stalledCode: number | null;
  trigger: string;
}

export async function stopPastLease(scenario: SharedScenario, seed: number, name = 'stopped'): Promise<StopReport> {
  const random = rng(seed);
  const day = await newSharedDay(scenario, name);
  const context = `seed ${seed}, a host stopped past its lease`;
  const others = Array.from({ length: scenario.runners - 1 }, () => startRunner(day));
  const stalled = startRunner(day, { handler: SLOW_HANDLER, env: { DAYCAP_TEST_SLEEP_MS: '600000' } });
  const claims = random.int(1, scenario.workers);
  const extraMs = random.int(0, 30);
  const trigger = `after its claim ${claims} + ${extraMs} ms`;
  await stalled.printed(/claimed job/, claims);
  await new Promise((resolve) => setTimeout(resolve, extraMs));
  if (stalled.ended) throw new SharedFaultFailure(`${context}: the host to stop ended first${outputs([stalled])}`);
  stalled.run.child.kill('SIGSTOP');
  const runId = /run (\w+) started/.exec(stalled.stdout())?.[1];
  if (!runId) throw new SharedFaultFailure(`${context}: the host to stop has not said its run id${outputs([stalled])}`);
  try {
    // The others go on and take over its claims once its lease has run out.
    await until(day, () => orphaned(day, runId), `${context}: its claims were never taken over`, [stalled, ...others]);
    await expectSharedRules(day, 'running', `${context} (while it is stopped)`, [stalled, ...others]);
    await new Promise((resolve) => setTimeout(resolve, random.int(0, 500)));
  } finally {
    stalled.run.child.kill('SIGCONT');
  }
  const [result] = await ended([stalled], `${context}: after SIGCONT`, undefined, day);
  const out = stalled.stdout();
  const problems: string[] = [];
  if (result!.code !== 5) problems.push(`it exited ${result!.code}, not 5`);
  if (!/WARNING the lease of run \w+ (on \S+ )?ran out/.test(out)) problems.push('it did not say that its lease ran out');
  const held = [...out.matchAll(CLAIMED)].map((match) => match[1]!).sort();
  const unrecorded = /could not record the outcome of \d+ jobs? in flight .*: (.+)$/m.exec(out)?.[1]?.split(', ').sort() ?? [];
  if (unrecorded.join() !== held.join()) problems.push(`it named ${unrecorded.join(', ') || 'no job'} as not recorded, not the jobs it held: ${held.join(', ')}`);
  if ((await claimedBy(day, runId)) > 0) problems.push('it holds claims after it ended');
  if (problems.length > 0) throw new SharedFaultFailure(`${context} (${trigger}), folder ${day.dir}:\n  ${problems.join('\n  ')}\n${result!.stderr}${outputs([stalled])}`);
  await finishDay(day, others, context);
  return { held: held.length, stalledCode: result!.code, trigger };
}

export interface OutageReport {
  /** Runs still going when the database went away. */
  liveAtFault: number;
  /** Runs that stopped with exit 5 during the outage (and were started again), and runs that carried on. */
  stopped: number;
  carriedOn: number;
}

/**
 * PostgreSQL restarted (`restart`) or stopped until every run has given up (`outage`), after a
 * seeded number of posts of the day.
 */
export async function databaseOutage(server: PostgresServer, scenario: SharedScenario, kind: 'restart' | 'outage', seed: number, name: string): Promise<OutageReport> {
  const random = rng(seed);
  const day = await newSharedDay(scenario, name, server.url);
  const context = `seed ${seed}, PostgreSQL ${kind === 'restart' ? 'restarted' : 'stopped'} mid-run`;
  const runners = Array.from({ length: scenario.runners }, () => startRunner(day));
  const posts = random.int(1, Math.floor((day.jobs.length * 2) / 3));
  await waitForPosts(runners, posts);
  const report: OutageReport = { liveAtFault: runners.filter((runner) => !runner.ended).length, stopped: 0, carriedOn: 0 };
  if (kind === 'restart') {
    await server.restart();
    await expectSharedRules(day, 'running', `${context} (after ${posts} posts)`, runners);
    await finishDay(day, runners, context);
    report.carriedOn = runners.length;
    return report;
  }
  await server.stop();
  let results;
  try {
    results = await ended(runners, `${context}: runs waiting for the database`);
  } finally {
    await server.start();
  }
  const problems: string[] = [];
  for (const [i, result] of results.entries()) {
    if (result.code === 0) continue;
    report.stopped += 1;
    if (result.code !== 5) problems.push(`a run exited ${result.code}, not 5`);
    if (!/could not reach the database ledger/.test(runners[i]!.stdout() + result.stderr)) problems.push(`a run (pid ${runners[i]!.pid}) did not say that the database could not be reached`);
  }
  if (problems.length > 0) throw new SharedFaultFailure(`${context}, folder ${day.dir}:\n  ${problems.join('\n  ')}${outputs(runners)}`);
  await expectSharedRules(day, 'running', `${context} (after ${posts} posts, every run stopped)`, runners);
  await finishDay(day, Array.from({ length: scenario.runners }, () => startRunner(day)), context);
  return report;
}

/** The runs finish the day by themselves, each with exit 0; a run started then claims nothing; the day is all success. */
async function finishDay(day: SharedDay, runners: readonly Runner[], context: string): Promise<void> {
  const results = await ended(runners, `${context}: finishing the day`, undefined, day);
  results.forEach((result, i) => {
    if (result.code !== 0) throw new SharedFaultFailure(`${context}: a run exited ${result.code} at the end of the day\n${result.stderr}${outputs([runners[i]!])}`);
  });
  const last = startRunner(day);
  const [lastResult] = await ended([last], `${context}: the run of a finished day`);
  if (lastResult!.code !== 0 || /claimed job/.test(last.stdout())) throw new SharedFaultFailure(`${context}: a run of the finished day exited ${lastResult!.code}${outputs([last])}`);
  await expectSharedRules(day, 'done', `${context} (end of day)`, [...runners, last]);
}

async function waitForPosts(runners: readonly Runner[], posts: number): Promise<void> {
  const total = () => runners.reduce((sum, runner) => sum + runner.count(/posted job/), 0);
  while (total() < posts && runners.some((runner) => !runner.ended)) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Its lease has run out and none of today's rows is claimed by it any more. */
async function orphaned(day: SharedDay, runId: string): Promise<boolean> {
  return (await query(day, `SELECT 1 FROM ${schemaOf(day)}.runners WHERE run_id = $1 AND lease_until < now()`, [runId])) > 0 && (await claimedBy(day, runId)) === 0;
}

function claimedBy(day: SharedDay, runId: string): Promise<number> {
  return query(day, `SELECT 1 FROM ${schemaOf(day)}.jobs WHERE day = 0 AND status = 'claimed' AND run_id = $1`, [runId]);
}

function schemaOf(day: SharedDay): string {
  return `"${new URL(day.url).searchParams.get('schema')!}"`;
}

async function query(day: SharedDay, text: string, values: unknown[]): Promise<number> {
  const url = new URL(day.url);
  url.search = '';
  url.hash = '';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query(text, values)).rowCount ?? 0;
  } finally {
    await client.end();
  }
}

/** Polls `check` until it holds; after a long while (a hang, not a timing assertion) fails with the runs' output. */
async function until(day: SharedDay, check: () => Promise<boolean>, failure: string, runners: readonly Runner[], hangMs = 60_000): Promise<void> {
  const giveUp = Date.now() + hangMs;
  while (!(await check())) {
    if (Date.now() > giveUp) throw new SharedFaultFailure(`${failure}${outputs(runners)}${await sessions(day)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

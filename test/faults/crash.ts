/**
 * The crash torture harness (G1, G3, G4, G5 under SIGKILL). A day of a few hundred jobs is run by
 * the real `daycap run` binary with a recording handler, killed with SIGKILL at seeded random moments
 * — while it starts and recovers, while jobs are claimed and posted (journal appends), the moment a
 * snapshot's temp file appears, the moment a journal is sealed, right after `ledger written` — and
 * started again, until the day is done. After every run, killed or not, the ledger and the handler's
 * own record (the independent truth of what was posted) must agree:
 *
 * - the ledger parses (`daycap validate` exits 0) and still holds every job, once;
 * - no account has more jobs in success + claimed + unconfirmed than the cap (G1, on disk);
 * - no account has more recorded posts than the cap, and no job was posted twice;
 * - no two calls for one account overlapped (G2, from the record's start/end times);
 * - every recorded post is `success` or `unconfirmed` in the ledger (or `claimed` by the run just
 *   killed, which the next run turns into `unconfirmed`), never pending, retrying, failed or lost;
 *   and every `success` was recorded.
 *
 * A day ends with runs that are not killed. With the verify handler (it answers from the record) it
 * must end with every account at min(cap, its jobs) posts, all `success`, nothing unconfirmed. Without
 * verify, the operator's part is played: unconfirmed jobs that the record shows posted are marked
 * `success` in the CSV (as someone who checked the platform would), `daycap release-stale` frees the
 * rest, and a last run must then end the same way.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { CAPPED_STATUSES, type Job } from '../../src/core/job.js';
import { parseLedger, serializeLedger } from '../../src/ledger/codec.js';
import { journalPath, ownerPath, sealedJournalsDir } from '../../src/ledger/paths.js';
import { readLedgerView } from '../../src/ledger/store.js';
import { scanJournal } from '../../src/ledger/journalRead.js';
import { daycap, start } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { sealedJournals, tempFiles, writeLedger } from '../helpers/ledgers.js';
import { rng } from '../helpers/random.js';
import { readRecord, recordProblems, RECORDING, RECORDING_VERIFY, type RecordedPost } from '../helpers/recording.js';

export interface Scenario {
  name: string;
  accounts: number;
  perAccount: number;
  cap: number;
  workers: number;
  /** The handler exports verify (answers from the record); else the operator settles unconfirmed jobs. */
  verify: boolean;
  /** Kills to land in this scenario (over as many days as that takes). */
  kills: number;
  /** Each post waits a random 0..N ms. */
  delayMaxMs: number;
  /** Each verify waits this long, so that kills land while a run is recovering. */
  verifyDelayMs?: number;
  /** Jobs whose id matches fail their first attempt (retried 50 ms later). */
  failPattern?: string;
  /** Favour the moments around snapshots (for days with many small jobs). */
  snapshotHeavy?: boolean;
  /** Run `daycap validate` after every kill (else after every 5th, and at the end of each day). */
  validateEveryKill?: boolean;
}

export interface TortureReport {
  seed: number;
  kills: number;
  runs: number;
  days: number;
  /** Kills by the moment chosen, and by what the run had printed when it died. */
  byTrigger: Record<string, number>;
  byPhase: Record<string, number>;
  /** Kills that left a snapshot temp file behind / journals that ended in a torn record. */
  tempFilesLeft: number;
  tornTails: number;
  ms: number;
}

type Trigger =
  | { kind: 'delay'; ms: number }
  | { kind: 'line'; name: string; pattern: RegExp; count: number; extraMs: number }
  | { kind: 'temp'; nth: number }
  | { kind: 'seal'; nth: number };

interface Day {
  dir: string;
  ledger: string;
  record: string;
  jobs: Job[];
  env: Record<string, string>;
  args: string[];
  scenario: Scenario;
}

interface RunOutcome {
  killed: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
  trigger: string;
  phase: string;
}

export class TortureFailure extends Error {}

/** Runs every scenario; throws TortureFailure (naming the seed, the day's folder and the last output) on the first broken rule. */
export async function torture(scenarios: readonly Scenario[], seed: number, log: (line: string) => void = () => undefined): Promise<TortureReport> {
  const started = Date.now();
  const random = rng(seed);
  const report: TortureReport = { seed, kills: 0, runs: 0, days: 0, byTrigger: {}, byPhase: {}, tempFilesLeft: 0, tornTails: 0, ms: 0 };
  for (const scenario of scenarios) {
    let killed = 0;
    while (killed < scenario.kills) {
      const day = newDay(scenario);
      report.days += 1;
      killed += await tortureDay(day, scenario.kills - killed, random, report, log);
      // Kept for inspection when a rule broke (the throw skips this).
      rmSync(day.dir, { recursive: true, force: true });
    }
  }
  report.ms = Date.now() - started;
  return report;

  async function tortureDay(day: Day, budget: number, r: ReturnType<typeof rng>, rep: TortureReport, say: (line: string) => void): Promise<number> {
    let kills = 0;
    const context = () => `seed ${seed}, scenario ${day.scenario.name}, folder ${day.dir}, after ${rep.kills} kills`;
    while (kills < budget) {
      const trigger = pickTrigger(r, day.scenario);
      if (process.env['DAYCAP_FAULT_TRACE']) say(`run ${rep.runs + 1}: ${JSON.stringify(trigger)} in ${day.dir}`);
      const outcome = await runOnce(day, trigger);
      if (process.env['DAYCAP_FAULT_TRACE']) say(`  -> killed ${outcome.killed} (${outcome.phase}) code ${outcome.code}`);
      rep.runs += 1;
      if (outcome.killed) {
        kills += 1;
        rep.kills += 1;
        rep.byTrigger[outcome.trigger] = (rep.byTrigger[outcome.trigger] ?? 0) + 1;
        rep.byPhase[outcome.phase] = (rep.byPhase[outcome.phase] ?? 0) + 1;
        if (tempFiles(day.ledger).length > 0) rep.tempFilesLeft += 1;
        const journal = existsSync(journalPath(day.ledger)) ? readFileSync(journalPath(day.ledger)) : undefined;
        if (journal && scanJournal(journal, 'journal').tornTail) rep.tornTails += 1;
        const validate = day.scenario.validateEveryKill === true || rep.kills % 5 === 0;
        await expectRules(day, { afterKill: true, validate }, `${context()} (killed: ${outcome.trigger}, ${outcome.phase})`, outcome);
      } else {
        await expectNaturalEnd(day, outcome, context());
        // Nothing left to do today (what is left waits for verify or an operator): a new day for the remaining kills.
        break;
      }
    }
    await finishDay(day, context());
    say(`day done: ${day.scenario.name}, ${kills} kills (total ${rep.kills})`);
    return kills;
  }
}

function newDay(scenario: Scenario): Day {
  const dir = tempDir('daycap-crash-');
  const jobs = gridJobs(scenario.accounts, scenario.perAccount, {}, { videosIn: dir });
  const ledger = writeLedger(dir, jobs);
  // Made now so that seals can be watched from the first run on (daycap makes it with the same mode).
  mkdirSync(sealedJournalsDir(ledger), { recursive: true, mode: 0o700 });
  const record = join(dir, 'record.jsonl');
  const env: Record<string, string> = { DAYCAP_RECORD_FILE: record, DAYCAP_DELAY_MAX_MS: String(scenario.delayMaxMs) };
  if (scenario.verifyDelayMs) env['DAYCAP_VERIFY_DELAY_MS'] = String(scenario.verifyDelayMs);
  if (scenario.failPattern) Object.assign(env, { DAYCAP_FAIL_PATTERN: scenario.failPattern, DAYCAP_FAIL_ATTEMPTS: '1' });
  // Streaks of injected failures cool accounts down: briefly, so that days end within the test's
  // time, while cooldowns (written in the ledger) still have to survive the kills.
  const config = join(dir, 'daycap.config.json');
  writeFileSync(config, JSON.stringify({ health: { streakCooldown: '300ms' } }));
  const args = ['run', '--ledger', ledger, '--config', config, '--handler', scenario.verify ? RECORDING_VERIFY : RECORDING, '--workers', String(scenario.workers), '--cap', String(scenario.cap), '--retry-delay', '50ms', '--no-tui'];
  return { dir, ledger, record, jobs, env, args, scenario };
}

function pickTrigger(r: ReturnType<typeof rng>, scenario: Scenario): Trigger {
  const line = (name: string, pattern: RegExp, count: number, extraMs: number): Trigger => ({ kind: 'line', name, pattern, count, extraMs });
  // About the posts a day has room for per kill, so that most kills land mid-run rather than after the end.
  const room = Math.max(2, Math.floor((scenario.accounts * Math.min(scenario.cap, scenario.perAccount)) / (scenario.kills + 1)));
  const roll = r.next();
  if (scenario.snapshotHeavy) {
    if (roll < 0.35) return { kind: 'temp', nth: r.int(1, 3) };
    if (roll < 0.55) return line('after ledger written', /ledger written/g, 1, r.int(0, 3));
    if (roll < 0.7) return { kind: 'seal', nth: 1 };
    if (roll < 0.85) return { kind: 'delay', ms: r.int(0, 600) };
    return line('after posts', /posted job/g, r.int(1, room), r.int(0, 3));
  }
  if (roll < 0.14) return { kind: 'delay', ms: r.int(0, 500) };
  if (roll < 0.22) return line('after recovery', /recovered: |run \S+ started/g, 1, r.int(0, 4));
  if (roll < 0.48) return line('after claims', /claimed job/g, r.int(1, room), r.int(0, 6));
  if (roll < 0.7) return line('after posts', /posted job/g, r.int(1, room), r.int(0, 6));
  if (roll < 0.82) return { kind: 'temp', nth: r.int(1, 2) };
  if (roll < 0.92) return { kind: 'seal', nth: r.int(1, 2) };
  return { kind: 'delay', ms: r.int(200, 800) };
}

function describeTrigger(trigger: Trigger): string {
  switch (trigger.kind) {
    case 'delay':
      return 'at a random time';
    case 'line':
      return trigger.name;
    case 'temp':
      return 'snapshot temp file appeared';
    case 'seal':
      return 'journal being sealed';
  }
}

const HANG_MS = 45_000;

function ownerPid(ledger: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(ownerPath(ledger), 'utf8')) as { pid?: number }).pid;
  } catch {
    return undefined;
  }
}
const TEMP = /^\.progress\.csv\.\d+\.[0-9a-f]+\.tmp$/;

/** One `daycap run`, killed with SIGKILL when the trigger fires (unless it ends first). */
async function runOnce(day: Day, trigger: Trigger | undefined): Promise<RunOutcome> {
  const trace: Record<string, string> = process.env['DAYCAP_FAULT_TRACE'] ? { NODE_OPTIONS: `--report-on-signal --report-signal=SIGUSR2 --report-directory=${day.dir}` } : {};
  const run = start(day.args, { cwd: day.dir, env: { ...day.env, ...trace } });
  let stdout = '';
  let fired = false;
  let phase = '';
  const watchers: FSWatcher[] = [];
  const timers: NodeJS.Timeout[] = [];
  const fire = () => {
    if (fired || run.child.exitCode !== null || run.child.signalCode !== null) return;
    fired = true;
    run.child.kill('SIGKILL');
    // Where it was: past its start-up (`run … started`), at its end, or before — then holding the lock
    // (owner.json names it: recovering the journal, writing the CSV, sealing, verifying) or not yet.
    if (/run \S+ ended/.test(stdout)) phase = 'ending';
    else if (/run \S+ started/.test(stdout)) phase = 'running';
    else phase = ownerPid(day.ledger) === run.child.pid ? 'recovering (lock held)' : 'starting (before the lock)';
  };
  const later = (ms: number) => (ms <= 0 ? fire() : timers.push(setTimeout(fire, ms)));
  if (trigger?.kind === 'delay') later(trigger.ms);
  if (trigger?.kind === 'line') {
    run.child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (fired) return;
      const seen = stdout.match(trigger.pattern)?.length ?? 0;
      if (seen >= trigger.count) later(trigger.extraMs);
    });
  } else {
    run.child.stdout.on('data', (chunk: string) => (stdout += chunk));
  }
  if (trigger?.kind === 'temp' || trigger?.kind === 'seal') {
    const names = new Set<string>();
    const where = trigger.kind === 'temp' ? day.dir : sealedJournalsDir(day.ledger);
    const wanted = trigger.kind === 'temp' ? (name: string) => TEMP.test(name) : (name: string) => name.endsWith('.jsonl');
    watchers.push(watch(where, (_event, name) => {
      if (!name || !wanted(String(name))) return;
      names.add(String(name));
      if (names.size >= trigger.nth) fire();
    }));
  }
  // Not a timing assertion: a run that hangs is killed after a long while and reported with its output.
  let hung = false;
  const watchdog = setTimeout(() => {
    hung = true;
    if (process.env['DAYCAP_FAULT_TRACE']) run.child.kill('SIGUSR2');
    setTimeout(() => run.child.kill('SIGKILL'), 2000);
  }, HANG_MS);
  const result = await run.done;
  clearTimeout(watchdog);
  if (hung) throw new TortureFailure(`a run was still going after ${HANG_MS / 1000} s (trigger ${JSON.stringify(trigger)}), folder ${day.dir}\n--- stdout (tail) ---\n${tail(result.stdout)}\n--- stderr ---\n${result.stderr}`);
  for (const watcher of watchers) watcher.close();
  for (const timer of timers) clearTimeout(timer);
  const killed = fired && result.signal === 'SIGKILL';
  return { killed, code: result.code, stdout: result.stdout, stderr: result.stderr, trigger: trigger ? describeTrigger(trigger) : 'none', phase };
}

async function expectNaturalEnd(day: Day, outcome: RunOutcome, context: string): Promise<void> {
  const output = `\n--- stdout (tail) ---\n${tail(outcome.stdout)}\n--- stderr ---\n${outcome.stderr}`;
  if (outcome.code !== 0 && outcome.code !== 4) throw new TortureFailure(`${context}: a run that was not killed exited ${outcome.code}${output}`);
  const left = tempFiles(day.ledger);
  if (left.length > 0) throw new TortureFailure(`${context}: temp files left after a whole run: ${left.join(', ')}${output}`);
  if (existsSync(journalPath(day.ledger))) throw new TortureFailure(`${context}: the journal is still active after a whole run${output}`);
  await expectRules(day, { afterKill: false, validate: false }, context, outcome);
}

/** The rules that hold after every run; throws TortureFailure listing every one broken. */
async function expectRules(day: Day, when: { afterKill: boolean; validate: boolean }, context: string, outcome?: RunOutcome): Promise<void> {
  const problems: string[] = [];
  const { scenario } = day;
  if (when.validate) {
    const validate = await daycap(['validate', '--ledger', day.ledger], { cwd: day.dir });
    if (validate.code !== 0) problems.push(`daycap validate exited ${validate.code}: ${validate.stderr.trim()}`);
  }
  let rows: Job[];
  try {
    rows = (await readLedgerView(day.ledger)).jobs;
  } catch (error) {
    throw new TortureFailure(`${context}: the ledger does not read: ${String(error)}`);
  }
  problems.push(...checkRows(rows, day.jobs, readRecord(day.record), scenario.cap, when.afterKill));
  if (!when.afterKill) {
    for (const row of rows) {
      if (row.status === 'claimed') problems.push(`job ${row.job_id} is still claimed after a whole run`);
      if (scenario.verify && row.status === 'unconfirmed') problems.push(`job ${row.job_id} is unconfirmed after a whole run with verify`);
    }
  }
  if (problems.length > 0) {
    const output = outcome ? `\n--- stdout (tail) ---\n${tail(outcome.stdout)}\n--- stderr ---\n${outcome.stderr}` : '';
    throw new TortureFailure(`${context}:\n  ${problems.slice(0, 20).join('\n  ')}${problems.length > 20 ? `\n  (and ${problems.length - 20} more)` : ''}${output}`);
  }
}

/** Every job in the ledger exactly once, and no account over the cap (G1): the rows by job id, and what is wrong. */
export function ledgerProblems(rows: readonly Job[], jobs: readonly Job[], cap: number): { problems: string[]; byId: Map<string, Job> } {
  const problems: string[] = [];
  const byId = new Map<string, Job>();
  for (const row of rows) {
    if (byId.has(row.job_id)) problems.push(`job ${row.job_id} appears twice in the ledger`);
    byId.set(row.job_id, row);
  }
  for (const job of jobs) if (!byId.has(job.job_id)) problems.push(`job ${job.job_id} is lost from the ledger`);
  if (rows.length !== jobs.length) problems.push(`the ledger has ${rows.length} rows, not ${jobs.length}`);
  const held = new Map<string, number>();
  for (const row of rows) if (CAPPED_STATUSES.has(row.status)) held.set(row.account, (held.get(row.account) ?? 0) + 1);
  for (const [account, count] of held) if (count > cap) problems.push(`account ${account} has ${count} jobs in success/claimed/unconfirmed, over the cap of ${cap} (G1)`);
  return { problems, byId };
}

/** The rules, as a pure function of the ledger's rows, the day's jobs and the handler's record. */
export function checkRows(rows: readonly Job[], jobs: readonly Job[], calls: readonly RecordedPost[], cap: number, afterKill: boolean): string[] {
  const { problems, byId } = ledgerProblems(rows, jobs, cap);
  problems.push(...recordProblems(calls, cap));
  const posted = new Set(calls.filter((call) => call.ok).map((call) => call.job_id));
  for (const jobId of posted) {
    const status = byId.get(jobId)?.status;
    const fine = status === 'success' || status === 'unconfirmed' || (afterKill && status === 'claimed');
    if (!fine) problems.push(`job ${jobId} was posted but the ledger says ${status ?? 'nothing'} (G3)`);
  }
  for (const row of rows) if (row.status === 'success' && !posted.has(row.job_id)) problems.push(`job ${row.job_id} is success but was never posted`);
  return problems;
}

/** Runs with no kill until the day is over (playing the operator without verify), then the end-of-day rules. */
async function finishDay(day: Day, context: string): Promise<void> {
  let last = await runOnce(day, undefined);
  await expectNaturalEnd(day, last, `${context} (finishing run)`);
  if (!day.scenario.verify) {
    await settleAsOperator(day, context);
    last = await runOnce(day, undefined);
    await expectNaturalEnd(day, last, `${context} (run after release-stale)`);
  }
  // Once more: a finished day stays finished (nothing is run again).
  const again = await runOnce(day, undefined);
  await expectNaturalEnd(day, again, `${context} (run of a finished day)`);
  if (/claimed job/.test(again.stdout)) {
    throw new TortureFailure(`${context}: a run of a finished day claimed jobs\n${tail(again.stdout)}`);
  }
  const rows = (await readLedgerView(day.ledger)).jobs;
  const calls = readRecord(day.record).filter((call) => call.ok);
  const problems: string[] = [];
  const { cap, perAccount } = day.scenario;
  const want = Math.min(cap, perAccount);
  const expectedCode = perAccount > cap ? 4 : 0;
  if (last.code !== expectedCode) problems.push(`the day's last run exited ${last.code}, not ${expectedCode}`);
  const success = new Map<string, number>();
  for (const row of rows) {
    if (row.status === 'success') success.set(row.account, (success.get(row.account) ?? 0) + 1);
  }
  for (let a = 0; a < day.scenario.accounts; a++) {
    const got = success.get(`acct${a}`) ?? 0;
    if (got !== want) problems.push(`account acct${a} ends the day with ${got} posts, not ${want}`);
  }
  // What is not posted waits only because its account is at the cap: pending, or retrying after a
  // failed first attempt while another job of the account was posted.
  for (const row of rows) {
    if (row.status !== 'success' && row.status !== 'pending' && row.status !== 'retrying') problems.push(`job ${row.job_id} ends the day ${row.status}`);
  }
  const posted = new Set(calls.map((call) => call.job_id));
  const successIds = new Set(rows.filter((row) => row.status === 'success').map((row) => row.job_id));
  for (const id of posted) if (!successIds.has(id)) problems.push(`job ${id} was posted but does not end the day success`);
  const validate = await daycap(['validate', '--ledger', day.ledger], { cwd: day.dir });
  if (validate.code !== 0) problems.push(`daycap validate exited ${validate.code}: ${validate.stderr.trim()}`);
  for (const name of sealedJournals(day.ledger)) {
    if (!name.endsWith('.jsonl')) continue;
    try {
      scanJournal(readFileSync(join(sealedJournalsDir(day.ledger), name)), name);
    } catch (error) {
      problems.push(`sealed journal ${name} is damaged in the middle: ${String(error)}`);
    }
  }
  if (problems.length > 0) throw new TortureFailure(`${context} (end of day):\n  ${problems.slice(0, 20).join('\n  ')}\n--- last run ---\n${tail(last.stdout)}\n${last.stderr}`);
}

/**
 * Without verify, an operator checks the platform: the record says which unconfirmed jobs were
 * posted. Those are marked success in the CSV between runs (the file as saved is the ledger), then
 * `daycap release-stale` puts the rest back to pending.
 */
async function settleAsOperator(day: Day, context: string): Promise<void> {
  const posted = new Set(readRecord(day.record).filter((call) => call.ok).map((call) => call.job_id));
  const parsed = parseLedger(readFileSync(day.ledger), day.ledger);
  let marked = 0;
  const rows = parsed.jobs.map((row) => {
    if (row.status !== 'unconfirmed' || !posted.has(row.job_id)) return row;
    marked += 1;
    return { ...row, status: 'success' as const, completed_at: new Date().toISOString() };
  });
  if (marked > 0) writeFileSync(day.ledger, serializeLedger(rows, parsed.extraColumns));
  const release = await daycap(['release-stale', '--ledger', day.ledger], { cwd: day.dir });
  if (release.code !== 0) throw new TortureFailure(`${context}: daycap release-stale exited ${release.code}: ${release.stderr}`);
}

function tail(text: string, lines = 25): string {
  return text.split('\n').slice(-lines).join('\n');
}

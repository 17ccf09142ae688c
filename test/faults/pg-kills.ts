/**
 * The crash torture of a shared day (G1, G2, G3, G5 across hosts): several `daycap run` processes
 * on one database ledger, one of them killed with SIGKILL at seeded random moments — soon after it
 * started (while it registers and recovers), after a number of its claims or posts, at a random time
 * — and started again at once, while the others carry on and adopt its claims when its lease runs
 * out. After every kill the rules of test/faults/shared-day.ts are checked on the live day; when
 * the kills are spent the runs finish the day, which must end all `success` (verify answers from
 * the record). A day that ends before the kills are spent is followed by another.
 */
import { rng, type Random } from '../helpers/random.js';
import { ended, expectSharedRules, newSharedDay, SharedFaultFailure, startRunner, outputs, type Runner, type SharedDay, type SharedScenario } from './shared-day.js';

export interface KillReport {
  seed: number;
  kills: number;
  days: number;
  /** Kills landed in each day. */
  perDay: number[];
  /** Kills by the moment chosen, and by where the run was when it died. */
  byTrigger: Record<string, number>;
  byPhase: Record<string, number>;
  ms: number;
}

type Trigger =
  | { name: 'soon after its start'; ms: number }
  | { name: 'at a random time'; ms: number }
  | { name: 'after claims'; pattern: RegExp; more: number }
  | { name: 'after posts'; pattern: RegExp; more: number };

const CLAIMED = /claimed job/;
const POSTED = /posted job/;

export async function killTorture(scenario: SharedScenario, kills: number, seed: number, log: (line: string) => void = () => undefined): Promise<KillReport> {
  const started = Date.now();
  const random = rng(seed);
  const report: KillReport = { seed, kills: 0, days: 0, perDay: [], byTrigger: {}, byPhase: {}, ms: 0 };
  while (report.kills < kills) {
    const day = await newSharedDay(scenario, `kills-${report.days}`);
    report.days += 1;
    const before = report.kills;
    await tortureDay(day, kills, random, report, `seed ${seed}`);
    report.perDay.push(report.kills - before);
    log(`${scenario.name}: day ${report.days} done, ${report.kills - before} kills (total ${report.kills})`);
  }
  report.ms = Date.now() - started;
  return report;
}

async function tortureDay(day: SharedDay, budget: number, random: Random, report: KillReport, seedText: string): Promise<void> {
  const runners: Runner[] = Array.from({ length: day.scenario.runners }, () => startRunner(day));
  const context = () => `${seedText}, day ${report.days}, after ${report.kills} kills`;
  while (report.kills < budget) {
    const live = runners.filter((runner) => !runner.ended);
    if (live.length === 0) break;
    const trigger = pickTrigger(random);
    const victim = trigger.name === 'soon after its start' ? live.reduce((a, b) => (b.spawnedAt > a.spawnedAt ? b : a)) : random.pick(live);
    await reached(victim, trigger);
    if (victim.ended) continue;
    const phase = /run \S+ started/.test(victim.stdout()) ? 'running' : 'starting (registering, recovering)';
    victim.run.child.kill('SIGKILL');
    const result = await victim.result;
    if (result.signal !== 'SIGKILL') {
      // It ended by itself just before: only a clean end is fine.
      if (result.code !== 0) throw new SharedFaultFailure(`${context()}: a run that was not killed exited ${result.code}\n${result.stderr}${outputs([victim])}`);
      continue;
    }
    report.kills += 1;
    report.byTrigger[trigger.name] = (report.byTrigger[trigger.name] ?? 0) + 1;
    report.byPhase[phase] = (report.byPhase[phase] ?? 0) + 1;
    await expectSharedRules(day, 'running', `${context()} (killed pid ${victim.pid}: ${trigger.name}, ${phase})`, runners);
    runners[runners.indexOf(victim)] = startRunner(day);
  }
  // The kills are spent (or the day is over): every run finishes by itself.
  const results = await ended(runners, `${context()}, finishing the day`, undefined, day);
  results.forEach((result, i) => {
    if (result.signal === null && result.code !== 0) throw new SharedFaultFailure(`${context()}: a run that was not killed exited ${result.code}\n${result.stderr}${outputs([runners[i]!])}`);
  });
  // A run started now finds the day finished: it claims nothing and ends at once.
  const last = startRunner(day);
  const [lastResult] = await ended([last], `${context()}, the run of a finished day`);
  if (lastResult!.code !== 0 || last.count(CLAIMED) > 0) throw new SharedFaultFailure(`${context()}: a run of the finished day exited ${lastResult!.code}${outputs([last])}`);
  await expectSharedRules(day, 'done', `${context()} (end of day)`, [...runners, last]);
}

function pickTrigger(random: Random): Trigger {
  const roll = random.next();
  if (roll < 0.2) return { name: 'soon after its start', ms: random.int(0, 400) };
  if (roll < 0.4) return { name: 'at a random time', ms: random.int(50, 1500) };
  if (roll < 0.7) return { name: 'after claims', pattern: CLAIMED, more: random.int(1, 12) };
  return { name: 'after posts', pattern: POSTED, more: random.int(1, 12) };
}

/** Waits until the trigger's moment comes for `runner` (or it ends). */
async function reached(runner: Runner, trigger: Trigger): Promise<void> {
  if (trigger.name === 'soon after its start' || trigger.name === 'at a random time') {
    const from = trigger.name === 'soon after its start' ? runner.spawnedAt : Date.now();
    const wait = Math.max(0, from + trigger.ms - Date.now());
    await Promise.race([new Promise((resolve) => setTimeout(resolve, wait)), runner.result]);
    return;
  }
  // A run idle while others finish the day prints nothing more: then a kill lands a while later.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([runner.printed(trigger.pattern, runner.count(trigger.pattern) + trigger.more), new Promise((resolve) => (timer = setTimeout(resolve, 3_000)))]);
  clearTimeout(timer);
}

/** `daycap run`: optional reset-day and seeding, then the parallel run, all under one lock. */
import { DEFAULT_HEALTH } from '../core/policy.js';
import { NotifierError, PreflightError } from '../errors.js';
import { checkProgram } from '../handlers/load.js';
import { RUN_DEFAULTS } from '../runner/defaults.js';
import { Notifier } from '../runner/notify.js';
import { Runner, type RunOptions } from '../runner/runner.js';
import type { ArchivedHistory } from '../store/store.js';
import { ledgerAt } from '../store/open.js';
import type { ArchivedPosts } from './archived-posts.js';
import { recordDayCap, resolveDayCap } from './day-cap.js';
import { DEFAULT_PREFLIGHT, preflight, type PreflightProblem, type PreflightSettings } from './preflight.js';
import { checkReseedSafety, readSeedInputs, seedInto, type SeedResult, type SeedSource } from './seed.js';
import { resetDay } from './reset-day.js';
import { recordPosts } from './posted-recorder.js';
import { validLedgerAt } from './valid-ledger.js';

export interface RunDayOptions extends RunOptions {
  source?: SeedSource | undefined;
  accountsFile?: string | undefined;
  postedLedger?: string | undefined;
  resetDay?: boolean | undefined;
  forceReseed?: boolean | undefined;
  archiveDir?: string | undefined;
  /** Archives whose posts must not count (--ignore-archive), each named in the log. */
  ignoreArchives?: readonly string[] | undefined;
  /** max_attempts of the jobs seeded (a job's own setting in the state file wins). */
  maxAttempts?: number | undefined;
  log?: ((line: string) => void) | undefined;
  /** Pre-flight limits (default: captions up to 2200 code points, videos checked). */
  preflight?: PreflightSettings | undefined;
  /** Mark the jobs that fail the pre-flight skipped (with the problem as their error) and run the rest, instead of refusing. */
  skipInvalid?: boolean | undefined;
  /** A program told when something needs a person (docs/configuration.md#notify). */
  notify?: { argv: readonly string[] } | undefined;
  /** How long one notify call may take (default 30 s). */
  notifyTimeoutMs?: number | undefined;
}

export interface OpenedRun {
  runner: Runner;
  seeded: SeedResult | undefined;
  /** Jobs set aside as skipped by the pre-flight (only with skipInvalid; otherwise problems refuse the run). */
  skipped: number;
}

/**
 * Everything that can refuse the run happens before the returned runner claims anything:
 * the safety check, input files, the ledger's validity, the lock, the handler and the pre-flight.
 */
export async function openRun(options: RunDayOptions): Promise<OpenedRun> {
  checkReseedSafety(options);
  if (options.notify) await checkNotifier(options.notify.argv);
  const now = (options.clock ?? Date.now)();
  const inputs = options.source ? await readSeedInputs({ source: options.source, accountsFile: options.accountsFile, postedLedger: options.postedLedger }) : undefined;
  if (options.resetDay) await resetDay({ ledger: options.ledger, archiveDir: options.archiveDir, now, log: options.log, staleMs: options.staleMs });
  await validLedgerAt(options.ledger, { staleMs: options.staleMs });
  const ledger = ledgerAt(options.ledger, { archiveDir: options.archiveDir });
  const day = await resolveDayCap(ledger, [options.cap, inputs?.cap], options.log);
  // Today's archived posts count toward the day cap at every claim, not only when seeding; a rolling
  // cap counts yesterday's too. Read once the ledger is locked, so no reset-day slips in between;
  // an archive that cannot be read refuses the run there, before any claim.
  const rolling = options.pacing?.capMode === 'rolling-24h' && !options.pastPosts;
  let archived: ArchivedPosts | undefined;
  const readArchived = async (): Promise<ArchivedHistory> => {
    archived = await ledger.archivedPosts({ now, ignoreArchives: options.ignoreArchives, log: options.log }, rolling);
    return { today: options.archivedToday ?? archived.today, ...(rolling ? { recent: archived.recent } : {}) };
  };
  const runner = await Runner.open({ ...options, cap: day.cap, readArchived });
  let seeded: SeedResult | undefined;
  let skipped: number;
  try {
    // Under the lock, before seeding: the cap the day's jobs are planned and claimed with.
    await recordDayCap(ledger, day, 'run', options.log);
    if (inputs && options.source) {
      seeded = await seedInto(runner.store, { ledger: options.ledger, source: options.source, cap: day.cap, now, log: options.log, archivedToday: options.archivedToday ?? archived?.today, maxAttempts: options.maxAttempts, health: options.health, timeFormat: options.timeFormat, staleMs: options.staleMs }, inputs);
    }
    skipped = await checkBeforeClaiming(runner, options, inputs ? new Set(inputs.accounts) : undefined);
  } catch (error) {
    await runner.store.close({ final: true, label: 'refused' }).catch(() => undefined);
    // Seeding is written before the pre-flight looks: the operator should know those jobs stay.
    if (error instanceof PreflightError && seeded && seeded.added > 0) options.log?.(`added ${seeded.added} ${seeded.added === 1 ? 'job' : 'jobs'} to ${runner.store.ledger}; they stay there for the next run`);
    throw error;
  }
  if (options.postedLedger) {
    const recorder = recordPosts(runner.events, options.postedLedger);
    runner.beforeEnd(() => recorder.flush());
  }
  if (options.notify) notifyFrom(runner, options, options.notify.argv);
  return { runner, seeded, skipped };
}

/** A notify program that cannot be run is refused before anything is touched: a silent night is worse. */
async function checkNotifier(argv: readonly string[]): Promise<void> {
  try {
    await checkProgram(argv[0] ?? '', 'notify');
  } catch (error) {
    throw new NotifierError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** The notifier hears the run's events from its start; the run waits for its last calls before it resolves. */
function notifyFrom(runner: Runner, options: RunDayOptions, argv: readonly string[]): void {
  const clock = options.clock ?? Date.now;
  const notifier = new Notifier({
    argv,
    timeoutMs: options.notifyTimeoutMs ?? RUN_DEFAULTS.notifyTimeoutMs,
    ledger: options.ledger,
    counts: async () => (await runner.store.tally()).counts,
    warn: (message) => runner.events.emit('warning', { message, at: clock() }),
  });
  notifier.attach(runner.events);
  runner.afterEnd(() => notifier.drain());
}

/**
 * The pre-flight on the rows of the run's store. Problems refuse the run before
 * any claim; with skipInvalid those jobs become skipped instead, journaled before the run starts
 * (G3), so a crash right after cannot bring them back as pending. Returns how many were skipped.
 */
async function checkBeforeClaiming(runner: Runner, options: RunDayOptions, accounts: ReadonlySet<string> | undefined): Promise<number> {
  const report = await preflight(await runner.store.rows(), {
    ...(options.preflight ?? DEFAULT_PREFLIGHT),
    ledgerDir: ledgerAt(options.ledger).baseDir,
    // The same health policy the claim rules apply: its frozen accounts are the ones refused here.
    health: options.health ?? DEFAULT_HEALTH,
    accounts,
  });
  if (report.problems.length === 0) return 0;
  if (!options.skipInvalid) throw new PreflightError(runner.store.ledger, report.problems);
  const { changed } = await runner.store.act({ kind: 'skip', jobs: skipReasons(report.problems) }, (options.clock ?? Date.now)());
  return changed.length;
}

/** One skip per job, with every problem it has. */
function skipReasons(problems: readonly PreflightProblem[]): Array<{ jobId: string; reason: string }> {
  const reasons = new Map<string, string[]>();
  for (const { jobId, problem } of problems) reasons.set(jobId, [...(reasons.get(jobId) ?? []), problem]);
  return [...reasons].map(([jobId, reason]) => ({ jobId, reason: `pre-flight: ${reason.join('; ')}` }));
}

/** `daycap run`: optionally reset and seed, then run the day's jobs on worker threads. */
import { Command, Option } from 'commander';
import { openRun } from '../../api/run.js';
import { checkReseedSafety } from '../../api/seed.js';
import { applyOverrides, loadConfig } from '../../config/load.js';
import type { HandlerSpec } from '../../protocol.js';
import type { CommandContext } from '../context.js';
import { plural } from '../format.js';
import { ledgerAt } from '../../store/open.js';
import { dbTiming } from '../db-timing.js';
import { lockStaleMs } from '../lock-stale.js';
import { CAP_FROM_CONFIG, capOption, configOption, ledgerOption, overridesOf, parseHandler, runSettingOptions, seedSourceOf, sourceOptions, type ArchiveFlags, type RunSettingFlags, type SourceFlags } from '../options.js';
import { runToEnd } from '../run-day.js';

interface RunFlags extends SourceFlags, RunSettingFlags, ArchiveFlags {
  ledger: string;
  handler: HandlerSpec;
  config?: string;
  skipInvalid?: boolean;
  accounts?: string;
  postedLedger?: string;
  resetDay?: boolean;
  forceReseed?: boolean;
  tui: boolean;
}

const EXAMPLES = `
Examples:
  daycap run --ledger progress.csv --handler ./poster.mjs --workers 8
  daycap run --ledger progress.csv --campaign spring/ --handler 'command:./post.sh {account} {video_path}'
  daycap run --ledger progress.csv --state scheduler_state.json --handler simulate   (a rehearsal: nothing is posted)

A rehearsal posts nothing: --handler simulate, or shaped with key=value parts,
  --handler 'simulate:latency=200ms-2s,fail=0.1,crash=0.01,seed=7'
    latency=<d> or <d>-<d>  how long each post takes (uniform in the range; default 0)
    fail=<rate>             share of attempts that fail, in a realistic mix: account,
                            content, infrastructure, unknown, rate limits (retry-after)
    retry-after=<d>-<d>     the wait a simulated rate limit asks for (default 10s-1m)
    crash=<rate>            share of attempts whose worker thread dies mid-job: the job
                            becomes unconfirmed; the next run's verify settles it
    seed=<n>                the same seed gives the same outcomes (default 0)
  A rate is 0.1 or 10%; simulate:<n> is simulate:seed=<n>.

A poster without a verify of its own (a command: program) can be given one:
  --verify 'command:./check.py {account} {video_path}'
  exit 0 = posted (the last stdout line is the post id), 3 = not posted, else unknown.

On a terminal the run shows a live view: q stops after the jobs in flight (as Ctrl-C; twice stops at
once), p pauses/resumes claiming, f shows the failures, a the accounts. Into a pipe or a file, or with
--no-tui, it prints one log line per event. From another terminal:
  daycap status --ledger progress.csv      the live run's own state
  daycap pause|resume|stop --ledger progress.csv

Several hosts share one day through PostgreSQL: run the same command on each host with
--ledger 'postgres://daycap@db.lan/posting#spring' (or set DAYCAP_LEDGER); pause, resume and stop
then reach every host's run (docs/postgres.md).

Settings (cap, workers, retries, classification, account health, pacing and posting windows, pre-flight)
can also live in daycap.config.json or the file given to --config; \`daycap config --print\` shows them.`;

export function runCommand(ctx: CommandContext): Command {
  const command = new Command('run')
    .summary("run the day's jobs in parallel under the daily cap")
    .description("run the day's jobs in parallel until nothing is left to claim now or later")
    .addOption(ledgerOption())
    // Required on purpose: a default poster would either post for real or mark jobs posted that were not.
    .addOption(new Option('--handler <handler>', "the poster: a .js/.mjs module, 'command:<program> [args…]' (quoted as one word), or 'simulate[:key=value,…]' for a rehearsal (see below)").argParser(parseHandler).makeOptionMandatory())
    .addOption(configOption())
    .addOption(capOption(CAP_FROM_CONFIG));
  for (const option of runSettingOptions()) command.addOption(option);
  command
    .option('--skip-invalid', "mark the jobs that fail the pre-flight checks skipped (the reason in each job's error) and run the rest, instead of refusing the run")
    .option('--no-tui', 'plain log lines even on a terminal');
  for (const option of sourceOptions()) command.addOption(option);
  return command.addHelpText('after', EXAMPLES).action((flags: RunFlags, self: Command) => runAction(ctx, flags, self));
}

async function runAction(ctx: CommandContext, flags: RunFlags, self: Command): Promise<void> {
  // --force-reseed without --reset-day is refused before anything is read or touched
  // (docs/commands.md#daycap-seed).
  checkReseedSafety(flags);
  // A bad configuration stops the run before any input or the ledger is looked at.
  const config = applyOverrides(await loadConfig({ path: flags.config }), overridesOf(flags));
  const source = seedSourceOf(flags);
  if (!source) {
    const seedOnly = (['resetDay', 'accounts'] as const).filter((flag) => flags[flag] !== undefined);
    if (seedOnly.length > 0) {
      self.error(`${seedOnly.map(flagName).join(', ')} only make sense with --state <json> or --campaign <dir> (to archive the day alone, use \`daycap reset-day\`)`, { exitCode: 2, code: 'daycap.usage' });
    }
    // Nothing to seed from, so there must already be a day to run.
    await ledgerAt(flags.ledger).requireExisting();
  } else {
    await ledgerAt(flags.ledger).requireCreatable();
  }
  const { runner, seeded, skipped } = await openRun({
    ledger: flags.ledger,
    handler: flags.handler,
    source,
    accountsFile: flags.accounts,
    postedLedger: flags.postedLedger,
    resetDay: flags.resetDay,
    forceReseed: flags.forceReseed,
    archiveDir: flags.archiveDir,
    ignoreArchives: flags.ignoreArchive,
    ...runSettingsOf(config),
    ...(flags.skipInvalid ? { skipInvalid: true } : {}),
    command: 'daycap run',
    staleMs: lockStaleMs(),
    ...dbTiming(),
    log: ctx.io.out,
  });
  if (seeded) ctx.io.out(`added ${plural(seeded.added, 'job')} to ${flags.ledger}`);
  if (skipped > 0) ctx.io.out(`skipped ${plural(skipped, 'job')} that failed the pre-flight (--skip-invalid; the reason is in each job's error)`);
  const { exitCode } = await runToEnd(runner, ctx.io, { noTui: !flags.tui });
  ctx.setExitCode(exitCode);
}

/** The run's settings from the configuration in effect (flags already applied over the file). */
function runSettingsOf(config: Awaited<ReturnType<typeof loadConfig>>) {
  return {
    // Left out when neither a flag nor the file sets it, so the state file's setting applies.
    ...(config.cap === undefined ? {} : { cap: config.cap }),
    workers: config.workers,
    maxPasses: config.maxPasses,
    retryDelayMs: config.retryDelayMs,
    jobTimeoutMs: config.jobTimeoutMs,
    graceMs: config.graceMs,
    ...(config.verify ? { verify: { kind: 'command' as const, argv: config.verify.argv } } : {}),
    verifyTimeoutMs: config.verifyTimeoutMs,
    ...(config.notify ? { notify: { argv: config.notify.argv } } : {}),
    notifyTimeoutMs: config.notifyTimeoutMs,
    maxAttempts: config.maxAttempts,
    rules: config.rules,
    health: config.health,
    pacing: config.pacing,
    preflight: config.preflight,
    timeFormat: config.ledger.timeFormat,
  };
}

function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

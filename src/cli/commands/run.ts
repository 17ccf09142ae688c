/** `daycap run`: optionally reset and seed, then run the day's jobs on worker threads. */
import { Command, Option } from 'commander';
import { openRun } from '../../api/run.js';
import { checkReseedSafety } from '../../api/seed.js';
import type { HandlerSpec } from '../../protocol.js';
import type { CommandContext } from '../context.js';
import { plural } from '../format.js';
import { requireLedgerFile, requireLedgerFolder } from '../ledger-file.js';
import { capOption, ledgerOption, parseDuration, parseHandler, parsePositiveInt, seedSourceOf, sourceOptions, type SourceFlags } from '../options.js';
import { runToEnd } from '../run-day.js';

interface RunFlags extends SourceFlags {
  ledger: string;
  handler: HandlerSpec;
  accounts?: string;
  workers?: number;
  cap?: number;
  maxPasses?: number;
  retryDelay?: number;
  jobTimeout?: number;
  grace?: number;
  postedLedger?: string;
  resetDay?: boolean;
  forceReseed?: boolean;
  archiveDir?: string;
  tui: boolean;
}

const EXAMPLES = `
Examples:
  daycap run --ledger progress.csv --handler ./poster.mjs --workers 8
  daycap run --ledger progress.csv --campaign spring/ --handler 'command:./post.sh {account} {video_path}'
  daycap run --ledger progress.csv --state scheduler_state.json --handler simulate   (a rehearsal: nothing is posted)

On a terminal the run shows a live view: q stops after the jobs in flight (as Ctrl-C; twice stops at
once), p pauses/resumes claiming, f shows the failures, a the accounts. Into a pipe or a file, or with
--no-tui, it prints one log line per event. From another terminal:
  daycap status --ledger progress.csv      the live run's own state
  daycap pause|resume|stop --ledger progress.csv`;

export function runCommand(ctx: CommandContext): Command {
  const command = new Command('run')
    .summary("run the day's jobs in parallel under the daily cap")
    .description("run the day's jobs in parallel until nothing is left to claim now or later")
    .addOption(ledgerOption())
    // Required on purpose: a default poster would either post for real or mark jobs posted that were not.
    .addOption(new Option('--handler <handler>', "the poster: a .js/.mjs module, 'command:<program> [args…]' (quoted as one word), or 'simulate' for a rehearsal").argParser(parseHandler).makeOptionMandatory())
    .addOption(new Option('--workers <n>', 'worker threads (default 4)').argParser(parsePositiveInt))
    .addOption(capOption("posts per account per day (default: the state file's setting, else 1)"))
    .addOption(new Option('--max-passes <n>', 'passes over the ledger for retries (default 3)').argParser(parsePositiveInt))
    .addOption(new Option('--retry-delay <duration>', 'wait before a failed job is retried (default 5m)').argParser(parseDuration))
    .addOption(new Option('--job-timeout <duration>', 'abort a job running longer than this (default 10m)').argParser(parseDuration))
    .addOption(new Option('--grace <duration>', 'after Ctrl-C, how long jobs in flight may finish before they are aborted (default 30s)').argParser(parseDuration))
    .option('--no-tui', 'plain log lines even on a terminal');
  for (const option of sourceOptions()) command.addOption(option);
  return command.addHelpText('after', EXAMPLES).action(async (flags: RunFlags, self: Command) => {
    // Before anything is read or touched (seed section 1.4).
    checkReseedSafety(flags);
    const source = seedSourceOf(flags);
    if (!source) {
      const seedOnly = (['resetDay', 'accounts'] as const).filter((flag) => flags[flag] !== undefined);
      if (seedOnly.length > 0) {
        self.error(`${seedOnly.map(flagName).join(', ')} only make sense with --state <json> or --campaign <dir> (to archive the day alone, use \`daycap reset-day\`)`, { exitCode: 2, code: 'daycap.usage' });
      }
      // Nothing to seed from, so there must already be a day to run.
      await requireLedgerFile(flags.ledger);
    } else {
      await requireLedgerFolder(flags.ledger);
    }
    const { runner, seeded } = await openRun({
      ledger: flags.ledger,
      handler: flags.handler,
      source,
      accountsFile: flags.accounts,
      postedLedger: flags.postedLedger,
      resetDay: flags.resetDay,
      forceReseed: flags.forceReseed,
      archiveDir: flags.archiveDir,
      ...definedOnly({ workers: flags.workers, cap: flags.cap, maxPasses: flags.maxPasses, retryDelayMs: flags.retryDelay, jobTimeoutMs: flags.jobTimeout, graceMs: flags.grace }),
      command: 'daycap run',
      log: ctx.io.out,
    });
    if (seeded) ctx.io.out(`added ${plural(seeded.added, 'job')} to ${flags.ledger}`);
    const { exitCode } = await runToEnd(runner, ctx.io, { noTui: !flags.tui });
    ctx.setExitCode(exitCode);
  });
}

function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** RunOptions leaves unset numbers to the runner's defaults; commander gives undefined for them. */
function definedOnly<T extends Record<string, number | undefined>>(values: T): { [K in keyof T]?: number } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: number };
}

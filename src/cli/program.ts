/** The `daycap` command tree, and the one place its errors become messages and exit codes. */
import { Command } from 'commander';
import type { CommandContext } from './context.js';
import { processIO, type CliIO } from './io.js';
import { reportError, usageOutput } from './report.js';
import { packageVersion } from './version.js';

type MakeCommand = (ctx: CommandContext) => Command;

/**
 * Each command's module, loaded only when needed: a command line names one command, and loading
 * the modules of all of them (the run's worker pool, the config schema, the seed readers…) took
 * longer than `daycap status` itself. In the order `daycap --help` lists them.
 */
const COMMANDS: ReadonlyArray<{ names: readonly string[]; load: () => Promise<MakeCommand[]> }> = [
  { names: ['seed'], load: async () => [(await import('./commands/seed.js')).seedCommand] },
  { names: ['status'], load: async () => [(await import('./commands/status.js')).statusCommand] },
  { names: ['report'], load: async () => [(await import('./commands/report.js')).reportCommand] },
  { names: ['validate'], load: async () => [(await import('./commands/validate.js')).validateCommand] },
  { names: ['check'], load: async () => [(await import('./commands/check.js')).checkCommand] },
  { names: ['reset-day'], load: async () => [(await import('./commands/reset-day.js')).resetDayCommand] },
  { names: ['retry-failed'], load: async () => [(await import('./commands/retry-failed.js')).retryFailedCommand] },
  { names: ['release-stale'], load: async () => [(await import('./commands/release-stale.js')).releaseStaleCommand] },
  { names: ['unfreeze'], load: async () => [(await import('./commands/unfreeze.js')).unfreezeCommand] },
  { names: ['run'], load: async () => [(await import('./commands/run.js')).runCommand] },
  {
    names: ['pause', 'resume', 'stop'],
    load: async () => {
      const control = await import('./commands/control.js');
      return [control.pauseCommand, control.resumeCommand, control.stopCommand];
    },
  },
  { names: ['export'], load: async () => [(await import('./commands/export.js')).exportCommand] },
  { names: ['import'], load: async () => [(await import('./commands/import.js')).importCommand] },
  { names: ['db'], load: async () => [(await import('./commands/db.js')).dbCommand] },
  { names: ['config'], load: async () => [(await import('./commands/config.js')).configCommand] },
  { names: ['demo'], load: async () => [(await import('./commands/demo.js')).demoCommand] },
];

/**
 * The command tree: with `args`, only the command they name when they name one (any other command
 * line, `--help` or a typo among them, gets every command, for the full help and suggestions).
 */
export async function buildProgram(ctx: CommandContext, args?: readonly string[]): Promise<Command> {
  const program = new Command('daycap')
    .description("Run a day's social-media posting jobs in parallel, never past an account's daily cap, with a crash-safe CSV ledger.")
    .version(packageVersion())
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput(usageOutput('daycap'))
    .addHelpText('after', '\nNew here? Try `daycap demo`. Each command has its own --help.');
  const named = COMMANDS.filter(({ names }) => args !== undefined && args[0] !== undefined && names.includes(args[0]));
  const makers = (await Promise.all((named.length > 0 ? named : COMMANDS).map(({ load }) => load()))).flat();
  for (const make of makers) {
    const command = make(ctx);
    // addCommand does not pass these settings down, so each command gets them here.
    command.exitOverride().showSuggestionAfterError().configureOutput(usageOutput(`daycap ${command.name()}`));
    for (const sub of command.commands) sub.exitOverride().showSuggestionAfterError().configureOutput(usageOutput(`daycap ${command.name()} ${sub.name()}`));
    program.addCommand(command);
  }
  return program;
}

/**
 * The seed system's safety rule comes before every other check, commander's own included: `run` or
 * `seed` with --force-reseed but without --reset-day is refused (exit 1) even when a required option
 * such as --handler is missing, so the operator learns first that the command would wipe history.
 * The commands check it again in their actions (and the library in its functions).
 */
async function refuseForceReseedFirst(args: readonly string[]): Promise<void> {
  const [command, ...rest] = args;
  if (command !== 'run' && command !== 'seed') return;
  const end = rest.indexOf('--');
  const flags = end === -1 ? rest : rest.slice(0, end);
  if (flags.includes('--help') || flags.includes('-h')) return;
  const { checkReseedSafety } = await import('../api/seed.js');
  checkReseedSafety({ forceReseed: flags.includes('--force-reseed'), resetDay: flags.includes('--reset-day') });
}

/** Parses and runs one command line; resolves with the exit code. */
export async function runCli(args: readonly string[], io: CliIO = processIO): Promise<number> {
  let exitCode = 0;
  try {
    const program = await buildProgram({ io, setExitCode: (code) => (exitCode = code) }, args);
    await refuseForceReseedFirst(args);
    await program.parseAsync([...args], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, (text) => io.err(text.replace(/\n$/, '')));
  }
}

/** The `daycap` command tree, and the one place its errors become messages and exit codes. */
import { Command } from 'commander';
import { checkReseedSafety } from '../api/seed.js';
import { pauseCommand, resumeCommand, stopCommand } from './commands/control.js';
import { checkCommand } from './commands/check.js';
import { configCommand } from './commands/config.js';
import { dbCommand } from './commands/db.js';
import { demoCommand } from './commands/demo.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { releaseStaleCommand } from './commands/release-stale.js';
import { reportCommand } from './commands/report.js';
import { resetDayCommand } from './commands/reset-day.js';
import { retryFailedCommand } from './commands/retry-failed.js';
import { runCommand } from './commands/run.js';
import { seedCommand } from './commands/seed.js';
import { statusCommand } from './commands/status.js';
import { unfreezeCommand } from './commands/unfreeze.js';
import { validateCommand } from './commands/validate.js';
import type { CommandContext } from './context.js';
import { processIO, type CliIO } from './io.js';
import { reportError, usageOutput } from './report.js';
import { packageVersion } from './version.js';

const COMMANDS = [seedCommand, statusCommand, reportCommand, validateCommand, checkCommand, resetDayCommand, retryFailedCommand, releaseStaleCommand, unfreezeCommand, runCommand, pauseCommand, resumeCommand, stopCommand, exportCommand, importCommand, dbCommand, configCommand, demoCommand];

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('daycap')
    .description("Run a day's social-media posting jobs in parallel, never past an account's daily cap, with a crash-safe CSV ledger.")
    .version(packageVersion())
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput(usageOutput('daycap'))
    .addHelpText('after', '\nNew here? Try `daycap demo`. Each command has its own --help.');
  for (const make of COMMANDS) {
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
function refuseForceReseedFirst(args: readonly string[]): void {
  const [command, ...rest] = args;
  if (command !== 'run' && command !== 'seed') return;
  const end = rest.indexOf('--');
  const flags = end === -1 ? rest : rest.slice(0, end);
  if (flags.includes('--help') || flags.includes('-h')) return;
  checkReseedSafety({ forceReseed: flags.includes('--force-reseed'), resetDay: flags.includes('--reset-day') });
}

/** Parses and runs one command line; resolves with the exit code. */
export async function runCli(args: readonly string[], io: CliIO = processIO): Promise<number> {
  let exitCode = 0;
  const program = buildProgram({ io, setExitCode: (code) => (exitCode = code) });
  try {
    refuseForceReseedFirst(args);
    await program.parseAsync([...args], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, (text) => io.err(text.replace(/\n$/, '')));
  }
}

/** `daycap seed`: add the day's jobs to the ledger from a scheduler state or a campaign folder. */
import { Command } from 'commander';
import { checkReseedSafety, seedLedger } from '../../api/seed.js';
import type { CommandContext } from '../context.js';
import { plural } from '../format.js';
import { requireLedgerFolder } from '../ledger-file.js';
import { capOption, ledgerOption, seedSourceOf, sourceOptions, type SourceFlags } from '../options.js';

interface SeedFlags extends SourceFlags {
  ledger: string;
  accounts?: string;
  cap?: number;
  postedLedger?: string;
  resetDay?: boolean;
  forceReseed?: boolean;
  archiveDir?: string;
}

export function seedCommand(ctx: CommandContext): Command {
  const command = new Command('seed')
    .summary("add the day's jobs to the ledger")
    .description("add the day's jobs to the ledger, one account each, never past an account's daily cap")
    .addOption(ledgerOption())
    .addOption(capOption('posts per account per day (default: the state file\'s setting, else 1)'));
  for (const option of sourceOptions()) command.addOption(option);
  return command
    .addHelpText('after', '\nExample:\n  daycap seed --ledger progress.csv --state scheduler_state.json --accounts accounts.txt')
    .action(async (flags: SeedFlags, self: Command) => {
      // Before anything is read or touched (seed section 1.4).
      checkReseedSafety(flags);
      const source = seedSourceOf(flags);
      if (!source) self.error('daycap seed needs --state <json> or --campaign <dir>', { exitCode: 2, code: 'daycap.usage' });
      await requireLedgerFolder(flags.ledger);
      const result = await seedLedger({
        ledger: flags.ledger,
        source,
        accountsFile: flags.accounts,
        cap: flags.cap,
        postedLedger: flags.postedLedger,
        resetDay: flags.resetDay,
        forceReseed: flags.forceReseed,
        archiveDir: flags.archiveDir,
        now: Date.now(),
        log: ctx.io.out,
      });
      ctx.io.out(`added ${plural(result.added, 'job')} to ${flags.ledger}${result.unassigned ? ` (${result.unassigned} without an account: they will not be claimed)` : ''}`);
      ctx.setExitCode(0);
    });
}

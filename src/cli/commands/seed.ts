/** `daycap seed`: add the day's jobs to the ledger from a scheduler state or a campaign folder. */
import { Command } from 'commander';
import { checkReseedSafety, seedLedger } from '../../api/seed.js';
import { applyOverrides, loadConfig } from '../../config/load.js';
import type { CommandContext } from '../context.js';
import { plural } from '../format.js';
import { ledgerAt } from '../../store/open.js';
import { lockStaleMs } from '../lock-stale.js';
import { CAP_FROM_CONFIG, capOption, configOption, ledgerOption, maxAttemptsOption, seedSourceOf, sourceOptions, type ArchiveFlags, type SourceFlags } from '../options.js';

interface SeedFlags extends SourceFlags, ArchiveFlags {
  ledger: string;
  accounts?: string;
  cap?: number;
  maxAttempts?: number;
  config?: string;
  postedLedger?: string;
  resetDay?: boolean;
  forceReseed?: boolean;
}

export function seedCommand(ctx: CommandContext): Command {
  const command = new Command('seed')
    .summary("add the day's jobs to the ledger")
    .description("add the day's jobs to the ledger, one account each, never past an account's daily cap")
    .addOption(ledgerOption())
    .addOption(configOption())
    .addOption(capOption(CAP_FROM_CONFIG))
    .addOption(maxAttemptsOption());
  for (const option of sourceOptions()) command.addOption(option);
  return command
    .addHelpText('after', '\nExample:\n  daycap seed --ledger progress.csv --state scheduler_state.json --accounts accounts.txt')
    .action(async (flags: SeedFlags, self: Command) => {
      // --force-reseed without --reset-day is refused before anything is read or touched
      // (docs/commands.md#daycap-seed).
      checkReseedSafety(flags);
      const source = seedSourceOf(flags);
      if (!source) self.error('daycap seed needs --state <json> or --campaign <dir>', { exitCode: 2, code: 'daycap.usage' });
      const config = applyOverrides(await loadConfig({ path: flags.config }), { cap: flags.cap, maxAttempts: flags.maxAttempts });
      const staleMs = lockStaleMs();
      await ledgerAt(flags.ledger).requireCreatable();
      const result = await seedLedger({
        ledger: flags.ledger,
        source,
        accountsFile: flags.accounts,
        cap: config.cap,
        maxAttempts: config.maxAttempts,
        health: config.health,
        postedLedger: flags.postedLedger,
        resetDay: flags.resetDay,
        forceReseed: flags.forceReseed,
        archiveDir: flags.archiveDir,
        timeFormat: config.ledger.timeFormat,
        ignoreArchives: flags.ignoreArchive,
        now: Date.now(),
        log: ctx.io.out,
        staleMs,
      });
      ctx.io.out(`added ${plural(result.added, 'job')} to ${flags.ledger}${result.unassigned ? ` (${result.unassigned} without an account: they will not be claimed)` : ''}`);
      ctx.setExitCode(0);
    });
}

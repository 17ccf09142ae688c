/** `daycap reset-day`: archive the day's ledger under a new name and free the path for tomorrow. */
import { Command } from 'commander';
import { resetDay } from '../../api/reset-day.js';
import type { CommandContext } from '../context.js';
import { ledgerAt } from '../../store/open.js';
import { lockStaleMs } from '../lock-stale.js';
import { ledgerOption } from '../options.js';

export function resetDayCommand(ctx: CommandContext): Command {
  return new Command('reset-day')
    .summary("archive the day's ledger and free its path")
    .description("archive the day's ledger as <name>_<YYYYMMDD>.csv (then _1, _2, …), never over an existing file")
    .addOption(ledgerOption())
    .option('--archive-dir <dir>', 'put the archive in this folder (default: beside the ledger)')
    .addHelpText('after', '\nExample:\n  daycap reset-day --ledger progress.csv --archive-dir archive/')
    .action(async (flags: { ledger: string; archiveDir?: string }) => {
      const staleMs = lockStaleMs();
      // A missing ledger is not an error (nothing to archive; the log says so), but a missing folder is a typo.
      await ledgerAt(flags.ledger).requireCreatable();
      await resetDay({ ledger: flags.ledger, archiveDir: flags.archiveDir, now: Date.now(), log: ctx.io.out, staleMs });
      ctx.setExitCode(0);
    });
}

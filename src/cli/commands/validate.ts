/** `daycap validate`: is the ledger usable? Never writes, never takes the lock (docs/commands.md#daycap-validate). */
import { Command } from 'commander';
import { findCapExceeded } from '../../api/archived-posts.js';
import { resolveDayCap } from '../../api/day-cap.js';
import { loadConfig } from '../../config/load.js';
import { capExceededLine } from '../../core/archived-posts.js';
import { countPostsByAccount } from '../../core/seed.js';
import type { Ledger } from '../../store/ledger.js';
import type { CommandContext } from '../context.js';
import { plural } from '../format.js';
import { ledgerAt } from '../../store/open.js';
import { archiveDirOption, capOption, configOption, ignoreArchiveOption, ledgerOption, type ArchiveFlags } from '../options.js';

export function validateCommand(ctx: CommandContext): Command {
  return new Command('validate')
    .summary('check that a ledger is usable (never writes)')
    .description('check that the ledger can be read (exit 0) or say what is wrong and what to do (non-zero); never writes')
    .addOption(ledgerOption())
    .addOption(capOption("the daily cap, for the \"cap exceeded\" warnings (default: the config file's cap, else the cap recorded on the ledger, else 1)"))
    .addOption(configOption())
    .addOption(archiveDirOption())
    .addOption(ignoreArchiveOption())
    .addHelpText('after', '\nExample:\n  daycap validate --ledger progress.csv && daycap run --ledger progress.csv --handler ./poster.mjs')
    .action(async (flags: { ledger: string; cap?: number; config?: string } & ArchiveFlags) => {
      const config = await loadConfig({ path: flags.config });
      const ledger = ledgerAt(flags.ledger, { archiveDir: flags.archiveDir });
      await ledger.requireExisting();
      const day = await validDay(ledger);
      // The count includes journal records a run has not folded into the CSV yet, as `status` does.
      ctx.io.out(`ledger ${flags.ledger} is valid (${plural(day.jobs, 'job')})`);
      // Posts already over the cap are history, kept as they are: a warning, not a reason to fail.
      const over = await findCapExceeded(ledger, {
        posted: day.posted, cap: (await resolveDayCap(ledger, [flags.cap, config.cap], ctx.io.err)).cap, now: Date.now(), ignoreArchives: flags.ignoreArchive, log: ctx.io.err,
      });
      for (const entry of over) ctx.io.out(`warning: ${capExceededLine(entry)} (today's ledger and archives; the history is kept as it is)`);
      ctx.setExitCode(0);
    });
}

/**
 * The number of jobs and the posts per account of a valid ledger. A file ledger unchanged since
 * daycap wrote it (its kept digest still matches) is valid without reading its rows: daycap wrote
 * those bytes from valid rows.
 */
async function validDay(ledger: Ledger): Promise<{ jobs: number; posted: ReadonlyMap<string, number> }> {
  const kept = await ledger.digest?.();
  if (kept && kept.jobs > 0) return { jobs: kept.jobs, posted: new Map(kept.posted) };
  const check = await ledger.validate();
  // The top-level report prints VALIDATION FAILED with the action to take.
  if (!check.ok) throw check.error;
  return { jobs: check.jobs.length, posted: countPostsByAccount(check.jobs) };
}

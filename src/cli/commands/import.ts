/** `daycap import`: a file ledger (and its archives that count for today's cap) into an empty database ledger. */
import { Command, Option } from 'commander';
import { importLedger } from '../../api/transfer.js';
import type { CommandContext } from '../context.js';
import { plural } from '../format.js';
import { lockStaleMs } from '../lock-stale.js';
import { loadConfig } from '../../config/load.js';
import { capOption, configOption, ignoreArchiveOption, ledgerOption, type ArchiveFlags } from '../options.js';

export function importCommand(ctx: CommandContext): Command {
  return new Command('import')
    .summary('load a file ledger into an empty database ledger')
    .description("load a ledger CSV (with its journal folded in) into an empty database ledger, with the rows of its archives dated today or yesterday, whose posts count toward the cap; a database ledger that holds any row is refused")
    .addOption(ledgerOption())
    .addOption(new Option('--from <csv>', 'the file ledger to load (not changed)').makeOptionMandatory())
    .option('--archive-dir <dir>', "where the file ledger's archives are, if not beside it")
    .addOption(ignoreArchiveOption())
    .addOption(capOption("posts per account per day, recorded on the database ledger for every host's runs (default: the config file's cap; neither: the ledger's recorded cap is kept)"))
    .addOption(configOption())
    .addHelpText('after', "\nExample:\n  daycap import --ledger 'postgres://daycap@db.lan/posting#spring' --from progress.csv --cap 2")
    .action(async (flags: { ledger: string; from: string; cap?: number; config?: string } & ArchiveFlags) => {
      const config = await loadConfig({ path: flags.config });
      const result = await importLedger({
        ledger: flags.ledger, from: flags.from, cap: flags.cap ?? config.cap, archiveDir: flags.archiveDir, ignoreArchives: flags.ignoreArchive, now: Date.now(), log: ctx.io.err, staleMs: lockStaleMs(),
      });
      ctx.io.out(`imported ${plural(result.jobs, 'job')} from ${flags.from} into ${flags.ledger}${result.archives ? `, with ${plural(result.archives, 'archive')} counting toward the cap` : ''}`);
      ctx.setExitCode(0);
    });
}

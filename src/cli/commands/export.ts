/** `daycap export`: the day's ledger as a CSV file (from a database ledger, or a file ledger with its journal folded in). */
import { Command, Option } from 'commander';
import { exportLedger } from '../../api/transfer.js';
import type { CommandContext } from '../context.js';
import { plural } from '../format.js';
import { lockStaleMs } from '../lock-stale.js';
import { ledgerOption } from '../options.js';

export function exportCommand(ctx: CommandContext): Command {
  return new Command('export')
    .summary("write the day's ledger as a CSV file")
    .description("write the day's rows as the ledger CSV that `daycap validate` accepts and a spreadsheet opens, byte for byte what the file store writes (columns, quoting, times). Read-only: works beside live runs")
    .addOption(ledgerOption())
    .addOption(new Option('--out <csv>', 'the file to write (replaced atomically; never the ledger itself)').makeOptionMandatory())
    .addHelpText('after', "\nExample:\n  daycap export --ledger 'postgres://daycap@db.lan/posting#spring' --out spring.csv")
    .action(async (flags: { ledger: string; out: string }) => {
      const { jobs } = await exportLedger({ ledger: flags.ledger, out: flags.out, staleMs: lockStaleMs() });
      ctx.io.out(`wrote ${plural(jobs, 'job')} of ${flags.ledger} to ${flags.out}`);
      ctx.setExitCode(0);
    });
}

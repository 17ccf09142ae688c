/** `daycap validate`: is the ledger usable? Never writes, never takes the lock (seed section 1.3). */
import { Command } from 'commander';
import { validateLedger } from '../../ledger/validate.js';
import type { CommandContext } from '../context.js';
import { plural } from '../format.js';
import { requireLedgerFile } from '../ledger-file.js';
import { ledgerOption } from '../options.js';

export function validateCommand(ctx: CommandContext): Command {
  return new Command('validate')
    .summary('check that a ledger is usable (never writes)')
    .description('check that the ledger can be read (exit 0) or say what is wrong and what to do (non-zero); never writes')
    .addOption(ledgerOption())
    .addHelpText('after', '\nExample:\n  daycap validate --ledger progress.csv && daycap run --ledger progress.csv --handler ./poster.mjs')
    .action(async (flags: { ledger: string }) => {
      await requireLedgerFile(flags.ledger);
      const check = await validateLedger(flags.ledger);
      // The top-level report prints VALIDATION FAILED with the action to take.
      if (!check.ok) throw check.error;
      // The count includes journal records a run has not folded into the CSV yet, as `status` does.
      ctx.io.out(`ledger ${flags.ledger} is valid (${plural(check.jobs.length, 'job')})`);
      ctx.setExitCode(0);
    });
}

/** `daycap status`: the day at a glance; read-only, so it works beside a running `daycap run`. */
import { Command } from 'commander';
import { formatStatus, ledgerStatus } from '../../api/status.js';
import type { CommandContext } from '../context.js';
import { requireLedgerFile } from '../ledger-file.js';
import { capOption, ledgerOption } from '../options.js';

export function statusCommand(ctx: CommandContext): Command {
  return new Command('status')
    .summary('show how the day is going (read-only)')
    .description('show counts by status, failures by category, per-worker counts and accounts at their cap (read-only)')
    .addOption(ledgerOption())
    .option('--json', 'print one JSON object instead of text')
    .addOption(capOption('the daily cap used to list accounts at their cap (default 1)'))
    .addHelpText('after', '\nExamples:\n  daycap status --ledger progress.csv\n  daycap status --ledger progress.csv --json | jq .counts')
    .action(async (flags: { ledger: string; json?: boolean; cap?: number }) => {
      await requireLedgerFile(flags.ledger);
      const report = await ledgerStatus({ ledger: flags.ledger, cap: flags.cap });
      ctx.io.out(flags.json ? JSON.stringify(report) : formatStatus(report));
      ctx.setExitCode(0);
    });
}

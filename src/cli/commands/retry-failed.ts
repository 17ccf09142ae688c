/** `daycap retry-failed`: put failed jobs back to pending with fresh attempts. */
import { Command } from 'commander';
import { retryFailed } from '../../api/maintenance.js';
import { ledgerStatus } from '../../api/status.js';
import type { CommandContext } from '../context.js';
import { listIds, plural } from '../format.js';
import { requireLedgerFile } from '../ledger-file.js';
import { ledgerOption } from '../options.js';

interface RetryFlags {
  ledger: string;
  includeNonRetryable?: boolean;
  category?: string;
  type?: string;
}

export function retryFailedCommand(ctx: CommandContext): Command {
  return new Command('retry-failed')
    .summary('put failed jobs back to pending')
    .description('put failed jobs back to pending; account and content failures only with --include-non-retryable')
    .addOption(ledgerOption())
    .option('--include-non-retryable', 'also retry account and content failures (fix the account or video first)')
    .option('--category <c>', 'only jobs that failed in this category (account, content, infrastructure, unknown); implies --include-non-retryable')
    .option('--type <t>', 'only jobs that failed with this type (e.g. adb_timeout, suspended)')
    .addHelpText('after', '\nExamples:\n  daycap retry-failed --ledger progress.csv\n  daycap retry-failed --ledger progress.csv --category account --type logged_out')
    .action(async (flags: RetryFlags) => {
      await requireLedgerFile(flags.ledger);
      const changed = await retryFailed({ ledger: flags.ledger, includeNonRetryable: flags.includeNonRetryable, category: flags.category, type: flags.type });
      ctx.io.out(`${plural(changed.length, 'failed job')} put back to pending${changed.length ? `: ${listIds(changed.map((job) => job.job_id))}` : ''}`);
      const stillFailed = (await ledgerStatus({ ledger: flags.ledger })).counts.failed;
      if (stillFailed > 0) {
        const why = flags.includeNonRetryable || flags.category !== undefined
          ? 'they did not match --category/--type'
          : 'account and content failures are not retried unless you add --include-non-retryable, after fixing the account or video';
        ctx.io.out(`${plural(stillFailed, 'job')} left failed: ${why}`);
      }
      ctx.setExitCode(0);
    });
}

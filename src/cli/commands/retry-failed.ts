/** `daycap retry-failed`: put failed jobs back to pending with fresh attempts. */
import { Command } from 'commander';
import { retryFailed } from '../../api/maintenance.js';
import { ledgerStatus } from '../../api/status.js';
import { loadConfig } from '../../config/load.js';
import type { CommandContext } from '../context.js';
import { listIds, plural } from '../format.js';
import { ledgerAt } from '../../store/open.js';
import { askLiveRun, whichRun } from '../live.js';
import { lockStaleMs } from '../lock-stale.js';
import { configOption, ledgerOption } from '../options.js';

interface RetryFlags {
  ledger: string;
  includeNonRetryable?: boolean;
  category?: string;
  type?: string;
  config?: string;
}

export function retryFailedCommand(ctx: CommandContext): Command {
  return new Command('retry-failed')
    .summary('put failed jobs back to pending')
    .description('put failed jobs back to pending; account and content failures only with --include-non-retryable. Beside a live run, the run does it (its workers pick the jobs up); otherwise the file is changed')
    .addOption(ledgerOption())
    .addOption(configOption())
    .option('--include-non-retryable', 'also retry account and content failures (fix the account or video first)')
    .option('--category <c>', 'only jobs that failed in this category (account, content, infrastructure, unknown); implies --include-non-retryable')
    .option('--type <t>', 'only jobs that failed with this type (e.g. adb_timeout, suspended)')
    .addHelpText('after', '\nExamples:\n  daycap retry-failed --ledger progress.csv\n  daycap retry-failed --ledger progress.csv --category account --type logged_out')
    .action(async (flags: RetryFlags) => {
      const staleMs = lockStaleMs();
      // The file's classification decides which categories are non-retryable (a live run uses the one it started with).
      const { rules } = await loadConfig({ path: flags.config });
      const why = flags.includeNonRetryable || flags.category !== undefined
        ? 'they did not match --category/--type'
        : 'account and content failures are not retried unless you add --include-non-retryable, after fixing the account or video';
      const live = await askLiveRun(flags.ledger, { op: 'retry-failed', includeNonRetryable: flags.includeNonRetryable, category: flags.category, type: flags.type }, staleMs);
      if (live) {
        const changed = live.changed ?? [];
        ctx.io.out(`${whichRun(live)}: ${live.message}${changed.length ? `: ${listIds(changed)}` : ''}`);
        const stillFailed = (await askLiveRun(flags.ledger, { op: 'status' }, staleMs))?.status?.counts.failed ?? 0;
        if (stillFailed > 0) ctx.io.out(`${plural(stillFailed, 'job')} left failed: ${why}`);
        ctx.setExitCode(0);
        return;
      }
      await ledgerAt(flags.ledger).requireExisting();
      const changed = await retryFailed({ ledger: flags.ledger, includeNonRetryable: flags.includeNonRetryable, category: flags.category, type: flags.type, rules, warn: ctx.io.err, staleMs });
      ctx.io.out(`${plural(changed.length, 'failed job')} put back to pending${changed.length ? `: ${listIds(changed.map((job) => job.job_id))}` : ''}`);
      const stillFailed = (await ledgerStatus({ ledger: flags.ledger, staleMs })).counts.failed;
      if (stillFailed > 0) ctx.io.out(`${plural(stillFailed, 'job')} left failed: ${why}`);
      ctx.setExitCode(0);
    });
}

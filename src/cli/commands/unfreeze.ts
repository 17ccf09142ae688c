/** `daycap unfreeze`: lift the freeze an account failure put on an account. */
import { Command, Option } from 'commander';
import { unfreeze } from '../../api/maintenance.js';
import { loadConfig } from '../../config/load.js';
import type { CommandContext } from '../context.js';
import { listIds } from '../format.js';
import { ledgerAt } from '../../store/open.js';
import { askLiveRun, whichRun } from '../live.js';
import { lockStaleMs } from '../lock-stale.js';
import { configOption, ledgerOption } from '../options.js';

interface UnfreezeFlags {
  ledger: string;
  account: string;
  retry: boolean;
  config?: string;
}

export function unfreezeCommand(ctx: CommandContext): Command {
  return new Command('unfreeze')
    .summary("lift an account's freeze (after fixing the account)")
    .description('an account failure (suspended, logged out, verification…) freezes the account for the day: its jobs stay pending. Once the account is fixed, this puts the failed job back to pending and lets the account post again. Beside a live run, the run does it; otherwise the file is changed')
    .addOption(ledgerOption())
    .addOption(configOption())
    .addOption(new Option('--account <name>', 'the account to unfreeze').makeOptionMandatory())
    .option('--no-retry', 'skip the job that froze the account instead of retrying it')
    .addHelpText('after', '\nExamples:\n  daycap unfreeze --ledger progress.csv --account quickcutspod\n  daycap unfreeze --ledger progress.csv --account quickcutspod --no-retry')
    .action(async (flags: UnfreezeFlags) => {
      const staleMs = lockStaleMs();
      // The file's health rules say which failures freeze (a live run uses the ones it started with).
      const { health } = await loadConfig({ path: flags.config });
      const live = await askLiveRun(flags.ledger, { op: 'unfreeze', account: flags.account, retry: flags.retry }, staleMs);
      if (live) {
        const changed = live.changed ?? [];
        ctx.io.out(`${whichRun(live)}: ${unfreezeMessage(flags.account, changed.length, flags.retry)}${changed.length ? `: ${listIds(changed)}` : ''}`);
        ctx.setExitCode(0);
        return;
      }
      await ledgerAt(flags.ledger).requireExisting();
      const changed = await unfreeze({ ledger: flags.ledger, account: flags.account, retry: flags.retry, health, warn: ctx.io.err, staleMs });
      ctx.io.out(`${unfreezeMessage(flags.account, changed.length, flags.retry)}${changed.length ? `: ${listIds(changed.map((job) => job.job_id))}` : ''}`);
      ctx.setExitCode(0);
    });
}

function unfreezeMessage(account: string, changed: number, retry: boolean): string {
  if (changed === 0) return `account ${account} is not frozen`;
  return `account ${account} unfrozen: ${changed} failed job${changed === 1 ? '' : 's'} ${retry ? 'back to pending' : 'skipped'}; its pending jobs may be claimed again`;
}

/** `daycap release-stale`: give claims left by a dead run, and unconfirmed jobs, back to pending. */
import { Command } from 'commander';
import { releaseStale } from '../../api/maintenance.js';
import type { CommandContext } from '../context.js';
import { listIds, plural } from '../format.js';
import { ledgerAt } from '../../store/open.js';
import { askLiveRun, whichRun } from '../live.js';
import { lockStaleMs } from '../lock-stale.js';
import { ledgerOption, parseDuration } from '../options.js';

export function releaseStaleCommand(ctx: CommandContext): Command {
  return new Command('release-stale')
    .summary('release unconfirmed jobs and stale claims to pending')
    .description('put unconfirmed jobs, and claims older than --older-than, back to pending (check the platform first: they may have posted). Beside a live run, the run releases its unconfirmed jobs only: its own claims are alive, not stale, and --older-than does not apply')
    .addOption(ledgerOption())
    // 0 by default: this command takes the ledger's lock, so no live run can own any claim in it.
    .option('--older-than <duration>', 'only release claims at least this old, e.g. 10m, 1h30m (unconfirmed jobs are always released)', parseDuration, 0)
    .addHelpText('after', '\nExample:\n  daycap release-stale --ledger progress.csv --older-than 10m')
    .action(async (flags: { ledger: string; olderThan: number }, self: Command) => {
      const staleMs = lockStaleMs();
      const live = await askLiveRun(flags.ledger, { op: 'release-stale' }, staleMs);
      if (live) {
        const changed = live.changed ?? [];
        ctx.io.out(`${whichRun(live)}: ${live.message}`);
        if (changed.length) ctx.io.out(`released: ${listIds(changed)}`);
        if (self.getOptionValueSource('olderThan') === 'cli') {
          ctx.io.out('(--older-than does not apply beside a live run: the claims it holds are its own workers\', and claims of dead runs were made unconfirmed when it started)');
        }
        ctx.setExitCode(0);
        return;
      }
      await ledgerAt(flags.ledger).requireExisting();
      const changed = await releaseStale({ ledger: flags.ledger, olderThanMs: flags.olderThan, now: Date.now(), warn: ctx.io.err, staleMs });
      ctx.io.out(`${plural(changed.length, 'job')} released to pending${changed.length ? `: ${listIds(changed.map((job) => job.job_id))}` : ''}`);
      ctx.setExitCode(0);
    });
}

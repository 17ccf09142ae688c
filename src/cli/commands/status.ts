/**
 * `daycap status`: the day at a glance; read-only, so it works beside a running `daycap run`. Beside
 * a live run it shows the run's own state (asked over its control socket), which is newer than the
 * file; otherwise it reads the CSV plus the run's journal. It never takes the lock.
 */
import { Command } from 'commander';
import { formatStatus, ledgerStatus, liveStatusReport, type StatusReport } from '../../api/status.js';
import { loadConfig } from '../../config/load.js';
import type { CommandContext } from '../context.js';
import { ledgerAt } from '../../store/open.js';
import { askLiveRun } from '../live.js';
import { lockStaleMs } from '../lock-stale.js';
import { archiveDirOption, capOption, configOption, ignoreArchiveOption, ledgerOption, type ArchiveFlags } from '../options.js';

export function statusCommand(ctx: CommandContext): Command {
  return new Command('status')
    .summary('show how the day is going (live beside a run)')
    .description('show counts by status, failures by category, per-worker counts and accounts at their cap (read-only). Beside a live run: the run\'s own state, newer than the file. A database ledger: its live state, and every host\'s run')
    .addOption(ledgerOption())
    .option('--json', 'print one JSON object instead of text ("source": "live", "file", or "database" with "runners": every host\'s run)')
    .addOption(capOption('the daily cap used to list accounts at their cap (default: the config file\'s cap, else the cap recorded on the ledger, else 1; beside a live run, the run\'s cap)'))
    .addOption(configOption())
    .addOption(archiveDirOption())
    .addOption(ignoreArchiveOption())
    .addHelpText('after', '\nExamples:\n  daycap status --ledger progress.csv\n  daycap status --ledger progress.csv --json | jq .counts')
    .action(async (flags: { ledger: string; json?: boolean; cap?: number; config?: string } & ArchiveFlags) => {
      const staleMs = lockStaleMs();
      const answer = await askLiveRun(flags.ledger, { op: 'status' }, staleMs);
      let report: StatusReport;
      const notes: string[] = [];
      if (answer?.status) {
        report = liveStatusReport(answer.status, await ledgerAt(flags.ledger, { staleMs }).holder());
        if (flags.cap !== undefined && flags.cap !== report.cap) notes.push(`(--cap ${flags.cap} does not apply beside a live run: its accounts at their cap are counted with the run's cap, ${report.cap})`);
      } else {
        // Read only for the file: a live run answers with its own cap and health rules.
        const config = await loadConfig({ path: flags.config });
        await ledgerAt(flags.ledger).requireExisting();
        report = await ledgerStatus({ ledger: flags.ledger, cap: flags.cap ?? config.cap, health: config.health, archiveDir: flags.archiveDir, ignoreArchives: flags.ignoreArchive, log: ctx.io.err, staleMs });
      }
      if (flags.json) ctx.io.out(JSON.stringify({ source: report.live ? 'live' : report.runners ? 'database' : 'file', ...report }));
      else ctx.io.out([formatStatus(report), ...notes].join('\n'));
      ctx.setExitCode(0);
    });
}

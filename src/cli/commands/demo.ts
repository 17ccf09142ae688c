/** `daycap demo`: create a small campaign in a new folder, seed it and run it with the simulator. */
import { relative } from 'node:path';
import { Command } from 'commander';
import { createDemoCampaign, demoRunOptions } from '../../api/demo.js';
import { openRun } from '../../api/run.js';
import { EXIT } from '../../runner/exit-codes.js';
import type { CommandContext } from '../context.js';
import { plural } from '../format.js';
import { lockStaleMs } from '../lock-stale.js';
import { runToEnd } from '../run-day.js';

export function demoCommand(ctx: CommandContext): Command {
  return new Command('demo')
    .summary('try daycap on a made-up campaign (posts nothing)')
    .description('create a small campaign in a new folder and run it with the simulator (nothing is posted; takes a few seconds)')
    .option('--dir <dir>', 'folder for the demo; must be new or empty (default: ./daycap-demo, or -1, -2, … if taken)')
    .option('--no-tui', 'plain log lines even on a terminal')
    .action(async (flags: { dir?: string; tui: boolean }) => {
      const { io } = ctx;
      const staleMs = lockStaleMs();
      const campaign = await createDemoCampaign(flags.dir);
      const shown = displayPath(campaign.dir);
      const ledger = `${shown}/progress.csv`;
      io.out(`Created a demo campaign in ${shown}: ${campaign.accounts} accounts (accounts.txt), ${campaign.videos} captioned videos (captions.csv, videos/).`);
      io.out(`Running it as: daycap run --ledger ${ledger} --campaign ${shown} --handler simulate --workers 4 --cap 1 --retry-delay 2s --max-passes 3`);
      io.out('(the simulator posts nothing: it waits ~300 ms per job and fails a few jobs the way real platforms do)');
      io.out('');
      const { runner } = await openRun({ ...demoRunOptions(campaign), log: io.out, staleMs });
      const { reason, exitCode, summary } = await runToEnd(runner, io, { noTui: !flags.tui });
      io.out('');
      if (reason === 'done' && exitCode !== EXIT.OK) {
        io.out(`The demo exits 0 because its run reached its normal end; \`daycap run\` would exit ${exitCode} here, since jobs are left.`);
      }
      if (summary.unassigned > 0) {
        io.out(`${plural(summary.unassigned, 'video')} got no account: ${campaign.accounts} accounts × a cap of 1 post a day. They wait in the ledger, unclaimed, until more accounts are free.`);
      }
      io.out('What to try next:');
      const next: Array<[string, string]> = [
        [`daycap status --ledger ${ledger}`, 'counts, failures by category, accounts at their cap'],
        [`daycap validate --ledger ${ledger}`, 'the check every command makes before it uses a ledger'],
        [`daycap retry-failed --ledger ${ledger}`, 'put retryable failures back to pending'],
        [`daycap run --ledger ${ledger} --handler simulate`, 'run again: only what is left, and the cap still holds'],
        [`daycap reset-day --ledger ${ledger}`, 'archive the day as progress_<YYYYMMDD>.csv'],
      ];
      const width = Math.max(...next.map(([command]) => command.length));
      for (const [command, what] of next) io.out(`  ${command.padEnd(width)}   ${what}`);
      io.out(`Open ${ledger} in a spreadsheet to see the ledger; README.md shows how to write your own poster.`);
      // The simulated failures are random by design: a demo that ran to its end is a successful demo.
      ctx.setExitCode(reason === 'done' ? EXIT.OK : exitCode);
    });
}

function displayPath(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel === '' ? '.' : rel.startsWith('..') || rel.startsWith('/') ? dir : `./${rel}`;
}

/**
 * `daycap demo`: create a small campaign in a new folder, seed it and run it with the simulator.
 * What it prints itself keeps to 80 columns, so that it reads well on any terminal.
 */
import { relative } from 'node:path';
import { Command } from 'commander';
import { createDemoCampaign, DEMO_PACES, demoRunOptions, type DemoCampaign, type DemoPace } from '../../api/demo.js';
import { openRun } from '../../api/run.js';
import { EXIT } from '../../runner/exit-codes.js';
import type { RunSummary } from '../../runner/events.js';
import type { CommandContext } from '../context.js';
import { plural, shellLines, wrapText } from '../format.js';
import { lockStaleMs } from '../lock-stale.js';
import { runToEnd } from '../run-day.js';

export function demoCommand(ctx: CommandContext): Command {
  return new Command('demo')
    .summary('try daycap on a made-up campaign (posts nothing)')
    .description('create a small campaign in a new folder and run it with the simulator (nothing is posted; takes about 20 seconds, or a few with --fast)')
    .option('--dir <dir>', 'folder for the demo; must be new or empty (default: ./daycap-demo, or -1, -2, … if taken)')
    .option('--fast', 'quicker posts and retries: the demo takes a few seconds')
    .option('--no-tui', 'plain log lines even on a terminal')
    .action(async (flags: { dir?: string; fast?: boolean; tui: boolean }) => {
      const { io } = ctx;
      const staleMs = lockStaleMs();
      const pace: DemoPace = flags.fast ? 'fast' : 'normal';
      const campaign = await createDemoCampaign(flags.dir);
      const shown = displayPath(campaign.dir);
      const ledger = `${shown}/progress.csv`;
      for (const line of opening(campaign, shown, ledger, pace)) io.out(line);
      // What seeding says before the run (the campaign read, the videos left for another day) is wrapped too.
      const log = (line: string) => wrapText(line).forEach((part) => io.out(part));
      const { runner } = await openRun({ ...demoRunOptions(campaign, pace), log, staleMs });
      const { reason, exitCode, summary } = await runToEnd(runner, io, { noTui: !flags.tui });
      for (const line of closing(campaign, ledger, { reason, exitCode, summary })) io.out(line);
      // The simulated failures are random by design: a demo that ran to its end is a successful demo.
      ctx.setExitCode(reason === 'done' ? EXIT.OK : exitCode);
    });
}

function opening(campaign: DemoCampaign, shown: string, ledger: string, pace: DemoPace): string[] {
  const { handler, retryDelay } = DEMO_PACES[pace];
  const took = pace === 'fast' ? 'a few seconds' : 'about 20 seconds (--fast: a few)';
  return [
    ...wrapText(`Created a demo campaign in ${shown}: ${campaign.accounts} accounts (accounts.txt), ${campaign.videos} captioned videos (captions.csv, videos/).`),
    'Running it as:',
    ...shellLines(['daycap run', `--ledger ${ledger}`, `--campaign ${shown}`, `--handler '${handler}'`, '--workers 4', '--cap 1', `--retry-delay ${retryDelay}`]),
    ...wrapText(`(the simulator posts nothing: each post takes a moment and a few fail the way real platforms do; the demo takes ${took})`),
    '',
  ];
}

function closing(campaign: DemoCampaign, ledger: string, run: { reason: string; exitCode: number; summary: RunSummary }): string[] {
  const lines = [''];
  if (run.reason === 'done' && run.exitCode !== EXIT.OK) {
    lines.push(...wrapText(`The demo exits 0 because its run reached its normal end; \`daycap run\` would exit ${run.exitCode} here, since jobs are left.`));
  }
  if (run.summary.unassigned > 0) {
    lines.push(...wrapText(`${plural(run.summary.unassigned, 'video')} got no account: ${campaign.accounts} accounts × a cap of 1 post a day. They wait in the ledger, unclaimed, until more accounts are free.`));
  }
  lines.push('What to try next:');
  const next: Array<[string, string]> = [
    [`daycap status --ledger ${ledger}`, 'counts, failures by category, accounts at their cap'],
    [`daycap validate --ledger ${ledger}`, 'the check every command makes before it uses a ledger'],
    [`daycap retry-failed --ledger ${ledger}`, 'put retryable failures back to pending'],
    [`daycap run --ledger ${ledger} --handler simulate`, 'run again: only what is left, and the cap still holds'],
    [`daycap reset-day --ledger ${ledger}`, 'archive the day as progress_<YYYYMMDD>.csv'],
  ];
  for (const [command, what] of next) lines.push(`  ${command}`, ...wrapText(what, '      '));
  lines.push(...wrapText(`Open ${ledger} in a spreadsheet to see the ledger; README.md shows how to write your own poster.`));
  return lines;
}

function displayPath(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel === '' ? '.' : rel.startsWith('..') || rel.startsWith('/') ? dir : `./${rel}`;
}

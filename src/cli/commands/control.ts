/** `daycap pause|resume|stop`: steer a live `daycap run` from another terminal, through its control socket. */
import { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { askLiveRun, noLiveRun, whichRun } from '../live.js';
import { lockStaleMs } from '../lock-stale.js';
import { ledgerOption } from '../options.js';

interface ControlSpec {
  name: 'pause' | 'resume' | 'stop';
  summary: string;
  description: string;
  /** The verb for "nothing to …". */
  verb: string;
  example: string;
}

const SPECS: ControlSpec[] = [
  {
    name: 'pause',
    summary: 'pause claiming in a live run (jobs in flight go on)',
    description: 'ask the run using the ledger to stop claiming new jobs; jobs in flight finish, and `daycap resume` goes on',
    verb: 'pause',
    example: 'daycap pause --ledger progress.csv',
  },
  {
    name: 'resume',
    summary: 'resume claiming in a paused live run',
    description: 'ask the run using the ledger to claim jobs again after `daycap pause`',
    verb: 'resume',
    example: 'daycap resume --ledger progress.csv',
  },
  {
    name: 'stop',
    summary: 'stop a live run gracefully, as Ctrl-C does',
    description: 'ask the run using the ledger to stop: no new claims, jobs in flight get its grace period (--grace) to finish; the run then exits 130',
    verb: 'stop',
    example: 'daycap stop --ledger progress.csv',
  },
];

function controlCommand(ctx: CommandContext, spec: ControlSpec): Command {
  return new Command(spec.name)
    .summary(spec.summary)
    .description(`${spec.description}. Exits 6 if no run is using the ledger.`)
    .addOption(ledgerOption())
    .addHelpText('after', `\nExample:\n  ${spec.example}`)
    .action(async (flags: { ledger: string }) => {
      const staleMs = lockStaleMs();
      const answer = (await askLiveRun(flags.ledger, { op: spec.name }, staleMs)) ?? (await noLiveRun(flags.ledger, spec.verb, staleMs));
      ctx.io.out(`${whichRun(answer)}: ${answer.message}`);
      ctx.setExitCode(0);
    });
}

export const pauseCommand = (ctx: CommandContext) => controlCommand(ctx, SPECS[0]!);
export const resumeCommand = (ctx: CommandContext) => controlCommand(ctx, SPECS[1]!);
export const stopCommand = (ctx: CommandContext) => controlCommand(ctx, SPECS[2]!);

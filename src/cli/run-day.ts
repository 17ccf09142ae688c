/** Runs an opened runner to its end with the view and signal handling attached (shared by `run` and `demo`). */
import type { RunSummary, EndReason } from '../runner/events.js';
import type { Runner } from '../runner/runner.js';
import type { CliIO } from './io.js';
import { stopOnSignals } from './signals.js';
import { attachView } from './view.js';

export async function runToEnd(runner: Runner, io: CliIO, options: { noTui: boolean }): Promise<{ summary: RunSummary; exitCode: number; reason: EndReason }> {
  let view;
  try {
    view = await attachView(runner, { tty: process.stdout.isTTY === true && process.env.TERM !== 'dumb', noTui: options.noTui, write: io.out, writeErr: io.err });
  } catch (error) {
    // The runner holds the ledger's lock: let it go before the error is reported.
    await runner.store.close({ final: true, label: 'refused' }).catch(() => undefined);
    throw error;
  }
  const unwireSignals = stopOnSignals(runner, view);
  let lastWarning = '';
  const unwatch = runner.events.on('warning', ({ message }) => (lastWarning = message));
  let result: Awaited<ReturnType<Runner['run']>>;
  try {
    result = await runner.run();
  } finally {
    unwatch();
    unwireSignals();
    await view.close();
  }
  // The log said it as it happened; stderr says it once more, where scripts and people look for errors.
  if (result.reason === 'storage-failed' || result.reason === 'lock-lost') {
    const fix = runner.store.shared
      ? 'Everything saved before that is in the database; fix the cause (the database server, the network, a run paused past its lease), then run again.'
      : 'Everything saved before that is in the ledger and its journal; fix the cause (disk space, permissions, the lock), then run again.';
    io.err(`daycap: the run stopped early: ${lastWarning || result.reason}.\n${fix}`);
  }
  return result;
}

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
    await runner.store.close(undefined, 'refused').catch(() => undefined);
    throw error;
  }
  const unwireSignals = stopOnSignals(runner, view);
  try {
    return await runner.run();
  } finally {
    unwireSignals();
    await view.close();
  }
}

/** Runs an opened runner to its end with the view and signal handling attached (shared by `run` and `demo`). */
import type { RunSummary, EndReason } from '../runner/events.js';
import type { Runner } from '../runner/runner.js';
import type { CliIO } from './io.js';
import { stopOnSignals } from './signals.js';
import { attachView } from './view.js';

export async function runToEnd(runner: Runner, io: CliIO, options: { noTui: boolean }): Promise<{ summary: RunSummary; exitCode: number; reason: EndReason }> {
  const view = attachView(runner, { tty: process.stdout.isTTY === true, noTui: options.noTui, write: io.out });
  const unwireSignals = stopOnSignals(runner, io.err);
  try {
    return await runner.run();
  } finally {
    unwireSignals();
    await view.close();
  }
}

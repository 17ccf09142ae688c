/**
 * Ctrl-C during a run. The first signal stops claiming and lets jobs in flight finish (within the
 * grace period); a second one exits at once. Exiting at once is safe for the ledger: every claim
 * and outcome is journaled before it is acted on, and a claim left in flight becomes `unconfirmed`
 * on the next run (G5), so nothing is lost and nothing is re-posted blindly.
 */
import { EXIT } from '../runner/exit-codes.js';
import type { Runner } from '../runner/runner.js';

export function stopOnSignals(runner: Runner, writeErr: (line: string) => void): () => void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    received += 1;
    if (received === 1) {
      writeErr(`daycap: ${signal} received: no new claims; waiting for jobs in flight (send it again to exit at once)`);
      runner.stop(signal);
      return;
    }
    writeErr(`daycap: ${signal} received again: exiting now. Jobs still in flight will show as unconfirmed on the next run; everything else is on disk.`);
    process.exit(EXIT.INTERRUPTED);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

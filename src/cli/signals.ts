/**
 * Ctrl-C during a run. The first signal stops claiming and lets jobs in flight finish (within the
 * grace period); a second one exits at once. Exiting at once is safe for the ledger: every claim
 * and outcome is journaled before it is acted on, and a claim left in flight becomes `unconfirmed`
 * on the next run (G5), so nothing is lost and nothing is re-posted blindly.
 *
 * With the live view up, the terminal is in raw mode and Ctrl-C reaches the view as a key (it calls
 * the same stop and stop-now); these handlers then only see signals sent from elsewhere (`kill`).
 */
import type { Runner } from '../runner/runner.js';
import type { View } from './view.js';

export function stopOnSignals(runner: Runner, view: Pick<View, 'notify' | 'exitNow'>): () => void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    received += 1;
    if (received === 1) {
      view.notify(`daycap: ${signal} received: no new claims; waiting for jobs in flight (send it again to exit at once)`);
      runner.stop(signal);
      return;
    }
    view.exitNow(`daycap: ${signal} received again: exiting now. Jobs still in flight will show as unconfirmed on the next run; everything else is on disk.`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

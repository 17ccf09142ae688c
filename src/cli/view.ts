/**
 * How a run is shown: the seam for the live terminal UI. Today every case gets the plain log writer
 * (one line per event on stdout). The Ink view (src/tui, `startTui`) is meant to take the case
 * `tty && !noTui` here; its `close` then waits for the final frame (Tui.done).
 */
import { attachLog } from '../runner/log.js';
import type { Runner } from '../runner/runner.js';

export interface ViewOptions {
  /** stdout is a terminal. */
  tty: boolean;
  /** --no-tui: plain log lines even on a terminal. */
  noTui: boolean;
  write: (line: string) => void;
}

export interface View {
  /** Detaches from the run's events once the run is over (or failed), after the last output. */
  close(): Promise<void>;
}

/** Subscribes to the run's events; call before `runner.run()` so that run-started is not missed. */
export function attachView(runner: Runner, options: ViewOptions): View {
  const detach = attachLog(runner.events, options.write);
  return { close: async () => void detach() };
}

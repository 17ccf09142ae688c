/**
 * How a run is shown. On a terminal (and without --no-tui) the live Ink view from src/tui; anywhere
 * else, or with --no-tui, the plain log writer: one line per event on stdout.
 *
 * The Ink view is imported lazily, so a run into a pipe or a file never loads React. While it is up
 * it owns stdout: every other write (a handler's console.log, a message) is held and printed after
 * the final summary (see hold-output.ts), and messages for the operator are left to the screen.
 */
import { EXIT } from '../runner/exit-codes.js';
import { attachLog } from '../runner/log.js';
import type { Runner } from '../runner/runner.js';
import type { Tui } from '../tui/render.js';
import { holdOutput } from './hold-output.js';

export interface ViewOptions {
  /** stdout is a terminal. */
  tty: boolean;
  /** --no-tui: plain log lines even on a terminal. */
  noTui: boolean;
  write: (line: string) => void;
  /** Where messages for the operator go when there is no live view (default: stderr). */
  writeErr?: (line: string) => void;
}

export interface View {
  /** True while the live view is on screen. */
  readonly live: boolean;
  /** A message for the operator (e.g. "SIGINT received…"): stderr with the log writer; the live view shows the run's own state instead. */
  notify(line: string): void;
  /**
   * Exits the process at once with code 130 (a second Ctrl-C, or Ctrl-C twice in the live view).
   * The live view is taken down first (its last frame stays), then `message` goes to stderr.
   */
  exitNow(message: string): never;
  /** Detaches from the run's events once the run is over (or failed); with the live view, waits until its final summary is drawn. */
  close(): Promise<void>;
}

/** Subscribes to the run's events; await it before `runner.run()` so that run-started is not missed. */
export async function attachView(runner: Runner, options: ViewOptions): Promise<View> {
  const writeErr = options.writeErr ?? ((line: string) => void process.stderr.write(`${line}\n`));
  if (!options.tty || options.noTui) return logView(runner, options.write, writeErr);
  return liveView(runner, writeErr);
}

function logView(runner: Runner, write: (line: string) => void, writeErr: (line: string) => void): View {
  const lines = batchedLines(write);
  const detach = attachLog(runner.events, lines.add);
  return {
    live: false,
    notify: (line) => {
      lines.flush();
      writeErr(line);
    },
    exitNow: (message) => {
      lines.flush();
      writeErr(message);
      process.exit(EXIT.INTERRUPTED);
    },
    close: async () => {
      detach();
      lines.flush();
      process.off('exit', lines.flush);
    },
  };
}

/**
 * Log lines gathered over one turn of the event loop and written together. Every claim and outcome
 * has its line, and a write per line (a system call each when the output is a file) cost the run's
 * main thread more than its claim rules. Written before the process exits, however it exits.
 */
function batchedLines(write: (line: string) => void): { add: (line: string) => void; flush: () => void } {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('\n');
    pending = [];
    write(text);
  };
  process.on('exit', flush);
  return {
    add: (line) => {
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

async function liveView(runner: Runner, writeErr: (line: string) => void): Promise<View> {
  const { startTui } = await importTui();
  const output = holdOutput();
  let runEnded = false;
  const offEnded = runner.events.on('run-ended', () => void (runEnded = true));
  let closed = false;
  const takeDown = () => {
    if (closed) return;
    closed = true;
    offEnded();
    tui.unmount();
    output.release();
  };
  const exitNow = (message: string): never => {
    takeDown();
    writeErr(message);
    process.exit(EXIT.INTERRUPTED);
  };
  let tui: Tui;
  try {
    tui = startTui(
      runner.events,
      {
        stop: (reason) => runner.stop(reason ?? 'q'),
        stopNow: () => exitNow('daycap: stopped at once (Ctrl-C twice). Jobs still in flight will show as unconfirmed on the next run; everything else is on disk.'),
        pause: () => runner.pause(),
        resume: () => runner.resume(),
        isPaused: () => runner.isPaused,
      },
      { stdout: output.stdout },
    );
  } catch (error) {
    offEnded();
    output.release();
    throw error;
  }
  return {
    live: true,
    notify: () => undefined,
    exitNow,
    close: async () => {
      if (closed) return;
      // After run-ended the view draws the final summary and lets go by itself; a run that failed
      // before it (storage, a bug) leaves nothing to wait for: take the screen down, keep the last frame.
      if (runEnded) await tui.done.catch(() => undefined);
      takeDown();
      await tui.done.catch(() => undefined);
    },
  };
}

/**
 * React picks its development or production build from NODE_ENV when it is first loaded, and the
 * development build doubles the cost of a frame. Ink decides once, when it is first loaded, that a
 * CI environment (CI or CONTINUOUS_INTEGRATION set) gets no live frames; but daycap only starts the
 * view when stdout is a real terminal, where live frames are the point. Both variables are set only
 * for that load and put back, so a handler's worker threads and programs see the environment the
 * operator gave daycap, whether or not stdout is a terminal.
 */
async function importTui(): Promise<typeof import('../tui/render.js')> {
  const saved = { NODE_ENV: process.env.NODE_ENV, CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  process.env.NODE_ENV ??= 'production';
  if (saved.CI !== undefined) process.env.CI = 'false';
  if (saved.CONTINUOUS_INTEGRATION !== undefined) process.env.CONTINUOUS_INTEGRATION = 'false';
  try {
    return await import('../tui/render.js');
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

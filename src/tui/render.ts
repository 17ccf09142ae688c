/** Starts the live screen on a terminal. The CLI calls it when stdout is a TTY and --no-tui is not given. */
import { render } from 'ink';
import { createElement } from 'react';
import type { RunEventStream } from '../runner/events.js';
import { App, type TuiControls } from './App.js';

export type { TuiControls } from './App.js';

export interface TuiOptions {
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

export interface Tui {
  /** Resolves once the run ended, its final summary is on screen and Ink has let go of the terminal. */
  done: Promise<void>;
  /** Takes the screen down early (the run failed before run-ended); the last frame stays. */
  unmount(): void;
}

/**
 * Subscribes to `events` at once: call it before `runner.run()` (or in the same tick), so
 * run-started is not missed. Keys: q graceful stop, p pause/resume, f/a detail views, Ctrl-C
 * graceful stop then stop now (Ink's own Ctrl-C exit is off: the runner decides when to end).
 */
export function startTui(events: RunEventStream, controls: TuiControls, options: TuiOptions = {}): Tui {
  const instance = render(createElement(App, { events, controls, now: Date.now }), {
    stdout: options.stdout ?? process.stdout,
    stdin: options.stdin ?? process.stdin,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const done = instance.waitUntilExit().then(() => undefined);
  return { done, unmount: () => instance.unmount() };
}

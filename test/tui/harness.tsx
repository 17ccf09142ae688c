import { render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { vi } from 'vitest';
import type { TuiControls } from '../../src/tui/App.js';
import { width } from '../../src/tui/text.js';
import { lines, plain } from './scenario.js';

export type Rendered = ReturnType<typeof render>;

/** Renders, then makes the fake terminal `columns` wide (ink-testing-library's is 100) and says so with a resize. */
export function renderAt(tree: ReactElement, columns = 100): Rendered {
  const r = render(tree);
  resize(r, columns);
  return r;
}

export function resize(r: Rendered, columns: number, rows?: number): void {
  Object.defineProperty(r.stdout, 'columns', { configurable: true, get: () => columns });
  if (rows !== undefined) Object.defineProperty(r.stdout, 'rows', { configurable: true, get: () => rows });
  r.stdout.emit('resize');
}

export function frame(r: Rendered): string {
  return plain(r.lastFrame());
}

export function widest(r: Rendered): number {
  return Math.max(0, ...lines(r.lastFrame()).map((line) => width(line)));
}

/** Controls that record calls, with a pause flag like the runner's. */
export function fakeControls(): TuiControls & { calls: string[] } {
  let paused = false;
  const calls: string[] = [];
  return {
    calls,
    stop: vi.fn(() => void calls.push('stop')),
    stopNow: vi.fn(() => void calls.push('stopNow')),
    pause: vi.fn(() => {
      paused = true;
      calls.push('pause');
    }),
    resume: vi.fn(() => {
      paused = false;
      calls.push('resume');
    }),
    isPaused: () => paused,
  };
}

/** Waits until the frame contains `text`, or passes a check (the screen redraws on a 100 ms tick). */
export async function until(r: Rendered, text: string | RegExp | ((frame: string) => boolean)): Promise<string> {
  const ok = (f: string) => (typeof text === 'string' ? f.includes(text) : text instanceof RegExp ? text.test(f) : text(f));
  await vi.waitFor(() => {
    const f = frame(r);
    if (!ok(f)) throw new Error(`not yet on screen: ${String(text)}\n${f}`);
  }, { timeout: 30_000, interval: 20 });
  return frame(r);
}

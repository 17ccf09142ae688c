/** The run as a whole: what it is (the header), whether it is paused or stopping, the posting window, and its end. */
import type { EndReason, RunSummary } from '../../runner/events.js';
import type { Reducer } from './reducer.js';

export interface RunHeader {
  runId: string;
  ledger: string;
  workers: number;
  cap: number;
  handler: string;
  startedAt: number;
  /** The pacing rules in force, one short phrase each (none: no pacing beyond the cap). */
  pacing: readonly string[];
}

/** The posting window as the last 'window' event left it; `until`: when a closed window opens (undefined: the run ends instead). */
export interface WindowView {
  open: boolean;
  until: number | undefined;
  at: number;
}

export interface RunEnd {
  summary: RunSummary;
  reason: EndReason;
  exitCode: number;
  at: number;
}

export interface Run {
  header: RunHeader | undefined;
  paused: boolean;
  stopping: { reason: string; graceMs: number; at: number } | undefined;
  /** The posting window, once a 'window' event said something about it. */
  window: WindowView | undefined;
  ended: RunEnd | undefined;
}

export function newRun(): Run {
  return { header: undefined, paused: false, stopping: undefined, window: undefined, ended: undefined };
}

export const runReducer: Reducer<Run, 'run-started' | 'paused' | 'stopping' | 'window' | 'run-ended'> = {
  'run-started': (run, e) => {
    run.header = { runId: e.runId, ledger: e.ledger, workers: e.workers, cap: e.cap, handler: e.handler, startedAt: e.at, pacing: e.pacing ?? [] };
    run.window = undefined;
  },
  'paused': (run, e) => {
    run.paused = e.paused;
  },
  'stopping': (run, e) => {
    run.stopping = { reason: e.reason, graceMs: e.graceMs, at: e.at };
  },
  'window': (run, e) => {
    run.window = { open: e.open, until: e.until, at: e.at };
  },
  'run-ended': (run, e) => {
    run.ended = { summary: e.summary, reason: e.reason, exitCode: e.exitCode, at: e.at };
  },
};

/** The posting window while it is closed (and the run goes on), else undefined. */
export function windowClosed(run: Run): WindowView | undefined {
  return run.window && !run.window.open && !run.ended ? run.window : undefined;
}

/** Time since the start: until `now` while the run goes on, until its end once over. */
export function elapsedMs(run: Run, now: number): number {
  if (!run.header) return 0;
  const end = run.ended ? run.ended.summary.endedAt : now;
  return Math.max(0, end - run.header.startedAt);
}

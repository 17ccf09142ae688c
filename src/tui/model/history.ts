/**
 * The failure and event lines of a run: the last few shown in the live part, more remembered for
 * the detail views, and those that leave the live part queued to be printed once above it (the
 * App prints them with Ink's <Static>, into the terminal's scrollback). Failures and events share
 * one sequence, so lines scroll out in the order they happened.
 */
import type { FailureOutcome } from './failures.js';
import type { Reducer } from './reducer.js';

export interface FailureLine {
  seq: number;
  at: number;
  jobId: string;
  account: string;
  video: string;
  workerId: number;
  outcome: FailureOutcome;
  category: string;
  type: string;
  message: string;
  /** Attempts used so far, including this one. */
  attempts: number;
  maxAttempts: number;
  retryAt: number | undefined;
}

export type NoteTone = 'info' | 'warn' | 'bad';

export interface NoteLine {
  seq: number;
  at: number;
  tone: NoteTone;
  text: string;
}

/** A line that left the live part; the App prints it once above it (Ink's <Static>). */
export type ScrolledLine =
  | { kind: 'failure'; failure: FailureLine }
  | { kind: 'note'; note: NoteLine }
  | { kind: 'dropped'; count: number; seq: number };

export interface HistoryOptions {
  /** Failure lines kept in the live part before they scroll into the terminal's scrollback. */
  liveFailures?: number;
  /** Event lines kept in the live part. */
  liveNotes?: number;
  /** Failures and events remembered for the detail views. */
  keep?: number;
  /** Scrolled lines waiting to be printed; beyond this they are counted, not kept (a burst of failures). */
  backlog?: number;
}

export interface History {
  readonly liveFailureCount: number;
  readonly liveNoteCount: number;
  readonly keep: number;
  readonly backlog: number;
  /** The last failures and events, newest last. */
  readonly failures: FailureLine[];
  readonly notes: NoteLine[];
  /** Every failure and event line of the run, kept or not. */
  failureCount: number;
  noteCount: number;
  seq: number;
  /** Lines waiting to be printed above the live part, and how many more a burst left out. */
  scrolled: ScrolledLine[];
  dropped: number;
  /** At the end everything left the live part. */
  liveCleared: boolean;
}

export function newHistory(options: HistoryOptions = {}): History {
  const liveFailureCount = options.liveFailures ?? 3;
  const liveNoteCount = options.liveNotes ?? 3;
  return {
    liveFailureCount,
    liveNoteCount,
    keep: Math.max(options.keep ?? 50, liveFailureCount, liveNoteCount),
    backlog: options.backlog ?? 50,
    failures: [],
    notes: [],
    failureCount: 0,
    noteCount: 0,
    seq: 0,
    scrolled: [],
    dropped: 0,
    liveCleared: false,
  };
}

/** The next line's place in the run's order. */
export function nextSeq(h: History): number {
  return ++h.seq;
}

export function addFailure(h: History, line: FailureLine): void {
  h.failureCount += 1;
  push(h, h.failures, line, h.liveFailureCount, asFailure);
}

export function addNote(h: History, line: NoteLine): void {
  h.noteCount += 1;
  push(h, h.notes, line, h.liveNoteCount, asNote);
}

const asFailure = (failure: FailureLine): ScrolledLine => ({ kind: 'failure', failure });
const asNote = (note: NoteLine): ScrolledLine => ({ kind: 'note', note });

/** Appends a line to a history; the one that falls out of the live window goes to the scrollback queue. */
function push<T>(h: History, list: T[], line: T, live: number, wrap: (line: T) => ScrolledLine): void {
  list.push(line);
  if (!h.liveCleared && list.length > live) queue(h, wrap(list[list.length - 1 - live]!));
  if (list.length > h.keep) list.shift();
}

function queue(h: History, line: ScrolledLine): void {
  if (h.scrolled.length >= h.backlog) h.dropped += 1;
  else h.scrolled.push(line);
}

/** Failures still shown in the live part, oldest first. */
export function liveFailures(h: History): FailureLine[] {
  return h.liveCleared ? [] : h.failures.slice(-h.liveFailureCount);
}

export function liveNotes(h: History): NoteLine[] {
  return h.liveCleared ? [] : h.notes.slice(-h.liveNoteCount);
}

/** Lines that left the live part since the last call, oldest first, with a count of any dropped in a burst. */
export function takeScrolled(h: History): ScrolledLine[] {
  if (h.scrolled.length === 0 && h.dropped === 0) return [];
  const out = h.scrolled;
  h.scrolled = [];
  if (h.dropped > 0) {
    out.push({ kind: 'dropped', count: h.dropped, seq: nextSeq(h) });
    h.dropped = 0;
  }
  return out;
}

export const historyReducer: Reducer<History, 'run-ended'> = {
  /** At the end, what was still in the live part goes to the scrollback, in the order it happened. */
  'run-ended': (h) => {
    if (h.liveCleared) return;
    const rest = [...liveFailures(h).map(asFailure), ...liveNotes(h).map(asNote)];
    rest.sort((a, b) => lineSeq(a) - lineSeq(b));
    for (const line of rest) queue(h, line);
    h.liveCleared = true;
  },
};

/** A scrolled line's place in the run's order (also its key when printed). */
export function lineSeq(line: ScrolledLine): number {
  return line.kind === 'failure' ? line.failure.seq : line.kind === 'note' ? line.note.seq : line.seq;
}

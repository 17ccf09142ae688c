import { describe, expect, it } from 'vitest';
import { addFailure, addNote, historyReducer, lineSeq, liveFailures, liveNotes, newHistory, nextSeq, takeScrolled, type FailureLine, type History } from '../../../src/tui/model/history.js';
import { oneOfEach, T0 } from './events.js';

function failure(h: History, message: string): void {
  addFailure(h, {
    seq: nextSeq(h), at: T0, jobId: message, account: 'x', video: 'v.mp4', workerId: 0, outcome: 'failed',
    category: 'infrastructure', type: 'adb_timeout', message, attempts: 1, maxAttempts: 3, retryAt: undefined,
  } satisfies FailureLine);
}

function note(h: History, text: string): void {
  addNote(h, { seq: nextSeq(h), at: T0, tone: 'info', text });
}

const text = (h: History) => takeScrolled(h).map((l) => (l.kind === 'failure' ? l.failure.message : l.kind === 'note' ? l.note.text : `dropped ${l.count}`));

// The live window, what is kept and the order lines scroll out in are tested through the whole model (../model.test.ts).
describe('history: the live lines and the scrollback', () => {
  it('gives a burst count a place after the lines it follows, and scrolls the live lines out once at the end', () => {
    const h = newHistory({ liveFailures: 1, liveNotes: 1, backlog: 2 });
    for (let i = 0; i < 5; i++) failure(h, `f${i}`);
    note(h, 'n1');
    const burst = takeScrolled(h);
    expect(burst.map(lineSeq)).toEqual([1, 2, 7]);
    expect(burst[2]).toEqual({ kind: 'dropped', count: 2, seq: 7 });
    const end = oneOfEach()['run-ended'];
    historyReducer['run-ended'](h, end);
    expect(text(h)).toEqual(['f4', 'n1']);
    historyReducer['run-ended'](h, end);
    note(h, 'n2');
    expect(text(h)).toEqual([]);
    expect([liveFailures(h), liveNotes(h)]).toEqual([[], []]);
  });
});

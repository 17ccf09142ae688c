import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunEventName } from '../../../src/runner/events.js';
import { accountHealthReducer } from '../../../src/tui/model/account-health.js';
import { accountsReducer } from '../../../src/tui/model/accounts.js';
import { failuresReducer } from '../../../src/tui/model/failures.js';
import { historyReducer } from '../../../src/tui/model/history.js';
import { notesReducer } from '../../../src/tui/model/notes.js';
import { progressReducer } from '../../../src/tui/model/progress.js';
import { runReducer } from '../../../src/tui/model/run.js';
import { handlersOf, newSlices, type Slices } from '../../../src/tui/model/slices.js';
import { workersReducer } from '../../../src/tui/model/workers.js';
import { oneOfEach } from './events.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Each reducer, with the slice it updates. */
const reducers: Array<[string, object, (s: Slices) => unknown]> = [
  ['run', runReducer, (s) => s.run],
  ['progress', progressReducer, (s) => s.progress],
  ['workers', workersReducer, (s) => s.workers],
  ['accounts', accountsReducer, (s) => s.accounts],
  ['account health', accountHealthReducer, (s) => s.health],
  ['failures', failuresReducer, (s) => s.failures],
  ['notes', notesReducer, (s) => s.history],
  ['history', historyReducer, (s) => s.history],
];

describe('the slices of the live view', () => {
  it('hand every event to each slice whose reducer hears it, with that slice and the payload itself', () => {
    const events = oneOfEach();
    for (const [slice, reducer, stateOf] of reducers) {
      for (const name of Object.keys(reducer) as RunEventName[]) {
        const spy = vi.spyOn(reducer as Record<RunEventName, (...args: unknown[]) => void>, name);
        const s = newSlices();
        const payload = events[name];
        dispatchTo(handlersOf(s), name, payload);
        expect(spy, `${slice} hears ${name}`).toHaveBeenCalledTimes(1);
        expect(spy.mock.calls[0]![0], `${slice} gets its own state for ${name}`).toBe(stateOf(s));
        expect(spy.mock.calls[0]![1]).toBe(payload);
        spy.mockRestore();
      }
    }
  });

  it('move the version on every event but a snapshot written and a cap-skip already heard', () => {
    const events = oneOfEach();
    const s = newSlices();
    const handlers = handlersOf(s);
    for (const name of Object.keys(events) as RunEventName[]) {
      const before = s.version;
      dispatchTo(handlers, name, events[name]);
      expect(s.version - before, name).toBe(name === 'ledger-written' ? 0 : 1);
    }
    const before = s.version;
    dispatchTo(handlers, 'cap-skip', events['cap-skip']);
    expect(s.version).toBe(before);
  });
});

function dispatchTo<K extends RunEventName>(handlers: ReturnType<typeof handlersOf>, name: K, payload: ReturnType<typeof oneOfEach>[K]): void {
  handlers[name](payload);
}

import { describe, expect, it } from 'vitest';
import type { RunEventName } from '../../../src/runner/events.js';
import { newHistory } from '../../../src/tui/model/history.js';
import { notesReducer } from '../../../src/tui/model/notes.js';
import { oneOfEach } from './events.js';

describe('notes: events worth a line of their own', () => {
  it('says each in the words of the log, without its clock time, in a tone of its own; tagged or not', () => {
    const events = oneOfEach();
    const h = newHistory({ keep: 20 });
    const names = Object.keys(notesReducer) as Array<keyof typeof notesReducer>;
    for (const name of names) note(h, name, events);
    expect(Object.fromEntries(h.notes.map((n, i) => [names[i], `${n.tone}: ${n.text}`]))).toEqual({
      'recovered': 'info: recovered: 1 unconfirmed from a run that died (verify: 1 posted, 0 not posted, 0 unknown); 2 journal records replayed',
      'pass-ended': 'info: pass 1 ended; waiting 1:00 for the next retry',
      'worker-died': 'bad: worker 1 died: out of memory; starting a new thread',
      'paused': 'info: claiming paused',
      'stopping': 'warn: stopping (q): no new claims; jobs in flight have 0:30 to finish',
      'external-edit': 'info: ledger edited outside daycap: 1 rows merged, 0 refused. 1 row merged',
      'warning': 'warn: WARNING disk nearly full',
      'account-frozen': 'bad: account acct_a FROZEN for the day: account/suspended: suspended; its jobs stay pending (lift with `daycap unfreeze --account acct_a`)',
      'account-cooling': 'warn: account acct_b cooling down until 2025-12-14T22:10:00.000Z (10:00): action_blocked: slow down',
      'account-unfrozen': 'info: account acct_a unfrozen by the operator: 1 failed job changed; its jobs may be claimed again',
      'window': 'warn: outside the posting window: no new claims until 2025-12-14T23:00:00.000Z (in 1:00:00)',
    });
    // The same payload tagged with its type (as `onAny` gives it) makes the same line.
    const h2 = newHistory();
    const tagged = { ...events.warning, type: 'warning' as const };
    notesReducer['warning'](h2, tagged);
    expect(h2.notes[0]!.text).toBe('WARNING disk nearly full');
  });
});

function note<K extends keyof typeof notesReducer & RunEventName>(h: ReturnType<typeof newHistory>, name: K, events: ReturnType<typeof oneOfEach>): void {
  notesReducer[name](h, events[name]);
}

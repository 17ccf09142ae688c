import { describe, expect, it } from 'vitest';
import { elapsedMs, newRun, runReducer as on, windowClosed } from '../../../src/tui/model/run.js';
import { oneOfEach, started, T0 } from './events.js';

describe('the run: header, pause, stop, window and end', () => {
  it('shows a closed window while the run goes on, and counts time until the end', () => {
    const run = newRun();
    expect(elapsedMs(run, T0)).toBe(0);
    on['run-started'](run, started({ pacing: ['gap 10:00'] }));
    expect(run.header).toMatchObject({ runId: 'r1', cap: 1, startedAt: T0, pacing: ['gap 10:00'] });
    on['window'](run, { open: false, until: T0 + 60_000, at: T0 });
    expect(windowClosed(run)).toEqual({ open: false, until: T0 + 60_000, at: T0 });
    on['window'](run, { open: true, until: undefined, at: T0 + 60_000 });
    expect(windowClosed(run)).toBeUndefined();
    on['window'](run, { open: false, until: undefined, at: T0 + 70_000 });
    on['paused'](run, { paused: true, at: T0 });
    on['stopping'](run, { reason: 'SIGINT', graceMs: 30_000, at: T0 });
    expect([run.paused, run.stopping?.reason]).toEqual([true, 'SIGINT']);
    on['run-ended'](run, oneOfEach()['run-ended']);
    expect(windowClosed(run)).toBeUndefined();
    expect(elapsedMs(run, T0 + 99_000)).toBe(1000);
  });
});

import { describe, expect, it } from 'vitest';
import { zeroCounts } from '../../../src/core/job.js';
import { done, etaMs, newProgress, progressReducer as on, remaining, setAside, unassigned } from '../../../src/tui/model/progress.js';
import { blockers, claimed, failed, job, posted, retrying, started, T0, unconfirmed } from './events.js';

describe('progress: counts and what is left', () => {
  it('moves a claim from the status its event names, and every outcome from claimed', () => {
    const p = newProgress();
    on['run-started'](p, started({ counts: { ...zeroCounts(), pending: 2, retrying: 1 }, jobs: 3 }));
    const [a, b, r] = [job('a', 'x'), job('b', 'y'), job('r', 'z', { status: 'retrying' })];
    on['job-claimed'](p, claimed(a));
    on['job-claimed'](p, claimed(r, 1, 'retrying'));
    expect(p.counts).toMatchObject({ pending: 1, retrying: 0, claimed: 2 });
    on['job-retrying'](p, retrying(a));
    on['job-done'](p, posted(r, 1));
    on['job-claimed'](p, claimed(b));
    on['job-unconfirmed'](p, unconfirmed(b));
    on['job-claimed'](p, claimed(a, 0, 'retrying'));
    on['job-failed'](p, failed(a));
    expect(p.counts).toEqual({ ...zeroCounts(), success: 1, failed: 1, unconfirmed: 1 });
    // Posts and final failures are finished jobs (two in the run's first second: 120 a minute); retries and unconfirmed ones are not.
    expect(p.throughput.rate(T0, T0)).toBe(120);
  });

  it('holds jobs passed over by the cap out of what is left until one of them is claimed', () => {
    const p = newProgress();
    on['run-started'](p, started({ counts: { ...zeroCounts(), pending: 4 }, jobs: 4 }));
    on['cap-skip'](p, { jobId: 'h1', account: 'x', cap: 1, at: T0 });
    on['cap-skip'](p, { jobId: 'h2', account: 'x', cap: 1, at: T0 });
    on['worker-idle'](p, { workerId: 0, blockers: blockers({ unassigned: 1 }), at: T0 });
    expect([unassigned(p), p.heldByCap.size, setAside(p), remaining(p), done(p)]).toEqual([1, 2, 3, 1, 0]);
    // The cap was raised and h1 claimed after all.
    on['job-claimed'](p, claimed(job('h1', 'x')));
    expect([p.heldByCap.size, setAside(p), remaining(p)]).toEqual([1, 2, 2]);
    on['job-done'](p, posted(job('h1', 'x')));
    expect(done(p)).toBe(1);
  });

  it('takes the totals of an outside edit and of the run summary, which also says how many jobs have no account', () => {
    const p = newProgress();
    on['run-started'](p, started());
    on['worker-idle'](p, { workerId: 0, blockers: blockers({ unassigned: 1 }), at: T0 });
    on['external-edit'](p, { merged: 2, refused: 0, message: '2 rows', counts: { ...zeroCounts(), pending: 5 }, jobs: 5, at: T0 });
    expect([p.counts.pending, p.total]).toEqual([5, 5]);
    const counts = { ...zeroCounts(), success: 3, pending: 3 };
    on['run-ended'](p, { summary: { runId: 'r1', ledger: 'l', counts, unassigned: 3, jobs: 6, startedAt: T0, endedAt: T0, passes: 1, processed: 3 }, reason: 'done', exitCode: 4, at: T0 });
    expect(p.counts).toEqual(counts);
    expect(p.counts).not.toBe(counts);
    expect([p.total, unassigned(p), done(p)]).toEqual([6, 3, 3]);
  });

  it('has no ETA without a rate or with nothing left', () => {
    const p = newProgress();
    on['run-started'](p, started({ counts: { ...zeroCounts(), pending: 10 }, jobs: 10 }));
    expect(etaMs(p, 0)).toBeUndefined();
    expect(etaMs(p, 5)).toBe(2 * 60_000);
    on['run-ended'](p, { summary: { runId: 'r1', ledger: 'l', counts: { ...zeroCounts(), success: 10 }, unassigned: 0, jobs: 10, startedAt: T0, endedAt: T0, passes: 1, processed: 10 }, reason: 'done', exitCode: 0, at: T0 });
    expect(etaMs(p, 5)).toBeUndefined();
  });
});

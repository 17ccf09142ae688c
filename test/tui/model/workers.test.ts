import { describe, expect, it } from 'vitest';
import { newWorkers, workersReducer as on, workerStates } from '../../../src/tui/model/workers.js';
import { blockers, claimed, job, posted, started, T0 } from './events.js';

describe('workers: what each one does', () => {
  it('starts each worker, shows its job by video, and leaves it between jobs once its job ends', () => {
    const w = newWorkers();
    on['run-started'](w, started({ workers: 2 }));
    expect(workerStates(w)).toEqual([{ kind: 'starting' }, { kind: 'starting' }]);
    const a = job('a', 'x', { video_path: 'C:\\clips\\a.mp4' });
    on['job-claimed'](w, claimed(a, 1, 'pending', T0 + 5));
    expect(workerStates(w)[1]).toEqual({ kind: 'busy', jobId: 'a', account: 'x', video: 'a.mp4', since: T0 + 5 });
    on['job-done'](w, posted(a, 1, T0 + 9));
    expect(workerStates(w)[1]).toEqual({ kind: 'between', since: T0 + 9 });
  });

  it('keeps a worker on its new job when the outcome of an earlier one comes (prefetched claims)', () => {
    const w = newWorkers();
    on['run-started'](w, started({ workers: 1 }));
    const [a, b] = [job('a', 'x'), job('b', 'y')];
    on['job-claimed'](w, claimed(a));
    on['job-claimed'](w, claimed(b));
    on['job-done'](w, posted(a));
    expect(workerStates(w)[0]).toMatchObject({ kind: 'busy', jobId: 'b' });
  });

  it('grows for a replaced thread, ignores ids that cannot be a worker, and says why a worker idles or died', () => {
    const w = newWorkers();
    on['run-started'](w, started({ workers: 1 }));
    on['worker-idle'](w, { workerId: 2, blockers: blockers({ accountsAtCap: 3 }), at: T0 });
    on['worker-died'](w, { workerId: 0, message: 'out of\nmemory', at: T0 });
    for (const bad of [-1, 1.5, 1_000_000]) on['worker-idle'](w, { workerId: bad, blockers: blockers(), at: T0 });
    expect(workerStates(w).map((s) => s.kind)).toEqual(['died', 'starting', 'idle']);
    expect(workerStates(w)[0]).toMatchObject({ message: 'out of memory' });
    expect(workerStates(w)[2]).toMatchObject({ blockers: { accountsAtCap: 3 } });
  });
});

/** Each worker's row: what it runs, why it is idle, or how it died. */
import type { Job } from '../../core/job.js';
import type { Blockers } from '../../core/day-state.js';
import { oneLine, videoName } from '../text.js';
import type { Reducer } from './reducer.js';

export type WorkerState =
  | { kind: 'starting' }
  /** Running a job. */
  | { kind: 'busy'; jobId: string; account: string; video: string; since: number }
  /** Reported a result; its next claim (or its idle reason) follows once the result is on disk. */
  | { kind: 'between'; since: number }
  | { kind: 'idle'; blockers: Blockers; since: number }
  | { kind: 'died'; message: string; since: number };

/** One worker's row, updated in place (no object per event); its WorkerState is made when a frame asks. */
export class WorkerSlot {
  kind: WorkerState['kind'] = 'starting';
  job: Job | undefined = undefined;
  since = 0;
  blockers: Blockers | undefined = undefined;
  message = '';

  state(): WorkerState {
    switch (this.kind) {
      case 'busy': {
        const job = this.job!;
        return { kind: 'busy', jobId: job.job_id, account: job.account, video: videoName(job), since: this.since };
      }
      case 'between':
        return { kind: 'between', since: this.since };
      case 'idle':
        return { kind: 'idle', blockers: this.blockers!, since: this.since };
      case 'died':
        return { kind: 'died', message: this.message, since: this.since };
      case 'starting':
        return { kind: 'starting' };
    }
  }
}

export interface Workers {
  readonly slots: WorkerSlot[];
}

export function newWorkers(): Workers {
  return { slots: [] };
}

type WorkerEvent = 'run-started' | 'job-claimed' | 'job-done' | 'job-failed' | 'job-retrying' | 'job-unconfirmed' | 'worker-idle' | 'worker-died';

export const workersReducer: Reducer<Workers, WorkerEvent> = {
  'run-started': (w, e) => {
    w.slots.length = 0;
    for (let i = 0; i < e.workers; i++) w.slots.push(new WorkerSlot());
  },
  'job-claimed': (w, e) => {
    const slot = w.slots[e.workerId] ?? slotOf(w, e.workerId);
    if (!slot) return;
    slot.kind = 'busy';
    slot.job = e.job;
    slot.since = e.at;
  },
  'job-done': (w, e) => finish(w, e.workerId, e.job.job_id, e.at),
  'job-failed': (w, e) => finish(w, e.workerId, e.job.job_id, e.at),
  'job-retrying': (w, e) => finish(w, e.workerId, e.job.job_id, e.at),
  'job-unconfirmed': (w, e) => finish(w, e.workerId, e.job.job_id, e.at),
  'worker-idle': (w, e) => {
    const slot = slotOf(w, e.workerId);
    if (!slot) return;
    slot.kind = 'idle';
    slot.blockers = e.blockers;
    slot.since = e.at;
  },
  'worker-died': (w, e) => {
    const slot = slotOf(w, e.workerId);
    if (!slot) return;
    slot.kind = 'died';
    slot.message = oneLine(e.message);
    slot.since = e.at;
  },
};

/** A claim ended: its worker is between jobs, unless it already went on to another. */
function finish(w: Workers, workerId: number, jobId: string, at: number): void {
  const slot = w.slots[workerId];
  if (slot && slot.kind === 'busy' && slot.job!.job_id === jobId) {
    slot.kind = 'between';
    slot.job = undefined;
    slot.since = at;
  }
}

/** The slot of worker `id`, made if the run grew (a replaced thread); undefined for a bad id. */
function slotOf(w: Workers, id: number): WorkerSlot | undefined {
  if (!Number.isInteger(id) || id < 0 || id > 10_000) return undefined;
  while (w.slots.length <= id) w.slots.push(new WorkerSlot());
  return w.slots[id];
}

/** Each worker's row, as of now (made when a frame asks). */
export function workerStates(w: Workers): WorkerState[] {
  return w.slots.map((slot) => slot.state());
}

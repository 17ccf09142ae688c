/**
 * The one typed event stream of a run. The log writer and the TUI are subscribers; neither reads
 * runner internals. Events carry copies of rows, so a subscriber can keep them.
 */
import { EventEmitter } from 'node:events';
import type { Job, Status, StatusCounts } from '../core/job.js';
import type { CapSkip } from '../core/claim-policy.js';
import type { Blockers } from '../core/day-state.js';
import type { CoolingAccount, FrozenAccount } from '../core/health.js';

export interface RunSummary {
  runId: string;
  ledger: string;
  counts: StatusCounts;
  unassigned: number;
  jobs: number;
  startedAt: number;
  endedAt: number;
  passes: number;
  /** Jobs finished (success or final failure) during this run. */
  processed: number;
}

export type EndReason = 'done' | 'interrupted' | 'storage-failed' | 'lock-lost';

export interface RunEvents {
  'run-started': {
    runId: string; ledger: string; workers: number; cap: number; handler: string; counts: StatusCounts; jobs: number; at: number;
    /** Accounts frozen or cooling down when the run starts (later changes come as their own events). */
    frozen?: FrozenAccount[];
    cooling?: CoolingAccount[];
    /** The pacing rules in force, one short phrase each (e.g. `gap 10m + up to 3m`, `window 08:00–23:00 Europe/Berlin`). */
    pacing?: string[];
  };
  /** Claims from a dead run found at start-up, or of a run on another host whose lease ran out (G5), and how verify settled them. */
  'recovered': { unconfirmed: number; posted: number; notPosted: number; unknown: number; journalRecords: number; at: number };
  /** `from`: the status the job was claimed from (pending, or retrying for a retry). */
  'job-claimed': { job: Job; from: Status; workerId: number; at: number };
  'job-done': { job: Job; workerId: number; durationMs: number; at: number };
  'job-failed': { job: Job; workerId: number; durationMs: number; at: number };
  'job-retrying': { job: Job; workerId: number; durationMs: number; retryAt: number; at: number };
  'job-unconfirmed': { job: Job; workerId: number; reason: string; at: number };
  'cap-skip': CapSkip & { at: number };
  'pass-ended': { pass: number; nextRetryAt: number | undefined; at: number };
  'worker-idle': { workerId: number; blockers: Blockers; at: number };
  /** An account failure froze the account for the day: its jobs stay pending until `daycap unfreeze`. */
  'account-frozen': { account: string; jobId: string; reason: string; at: number };
  /** The platform asked to slow down, or the account's device kept failing: no claims until `until`. */
  'account-cooling': { account: string; jobId: string; until: number; reason: string; at: number };
  /** The posting window closed (`until`: when it opens again, if the run waits) or claims resumed in it. */
  'window': { open: boolean; until: number | undefined; at: number };
  /** A freeze no longer holds (`daycap unfreeze`, retry-failed, an edit of the ledger); `jobs`: rows of the account that change did. */
  'account-unfrozen': { account: string; jobs: number; at: number };
  'worker-died': { workerId: number; message: string; at: number };
  'ledger-written': { kind: 'snapshot' | 'journal'; rows: number; at: number };
  /** The day's totals as a shared ledger has them now, other hosts' work included (told every few seconds). */
  'ledger-counts': { counts: StatusCounts; jobs: number; at: number };
  /** `counts` and `jobs` are the day's totals after the merge. */
  'external-edit': { merged: number; refused: number; keptAs?: string; message: string; counts: StatusCounts; jobs: number; at: number };
  'paused': { paused: boolean; at: number };
  'stopping': { reason: string; graceMs: number; at: number };
  'warning': { message: string; at: number };
  /** `cause`: why the run stopped early (a storage failure, a lost lock, a handler that could not load), in a line. */
  'run-ended': { summary: RunSummary; reason: EndReason; exitCode: number; at: number; cause?: string };
}

export type RunEventName = keyof RunEvents;
export type RunEvent = { [K in RunEventName]: { type: K } & RunEvents[K] }[RunEventName];

/** A typed facade over EventEmitter; `onAny` gives one stream of `{ type, ...payload }` objects. */
export class RunEventStream {
  private readonly emitter = new EventEmitter({ captureRejections: false });
  private readonly anyListeners = new Set<(event: RunEvent) => void>();

  constructor() {
    this.emitter.setMaxListeners(50);
  }

  on<K extends RunEventName>(name: K, listener: (payload: RunEvents[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }

  onAny(listener: (event: RunEvent) => void): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }

  /** `payload` must be a fresh object: subscribers may keep it. */
  emit<K extends RunEventName>(name: K, payload: RunEvents[K]): void {
    if (this.anyListeners.size > 0) {
      // Tagged in place rather than copied: events come thousands a second, and payloads are fresh objects.
      const event = Object.assign(payload, { type: name }) as unknown as RunEvent;
      for (const listener of this.anyListeners) listener(event);
    }
    this.emitter.emit(name, payload);
  }
}

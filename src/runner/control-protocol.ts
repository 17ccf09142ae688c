/** The control socket's messages: one JSON line each way per connection (`daycap status|pause|resume|stop|retry-failed|release-stale|unfreeze` beside a live run). */
import type { LedgerSummary } from '../core/summary.js';
import type { RunnerInfo } from '../store/ledger.js';

/** The live view a runner gives `daycap status`. */
export interface LiveStatus extends LedgerSummary {
  ledger: string;
  runId: string;
  pid: number;
  paused: boolean;
  startedAt: number;
}

export type ControlRequest =
  | { op: 'status' }
  | { op: 'pause' }
  | { op: 'resume' }
  | { op: 'stop' }
  | { op: 'retry-failed'; includeNonRetryable?: boolean | undefined; category?: string | undefined; type?: string | undefined }
  | { op: 'release-stale' }
  | { op: 'unfreeze'; account: string; retry: boolean };

export type ControlResponse =
  /** `runs`: every run the request reached, on a ledger that several runs share (`pid`, `runId`: the first). */
  | { ok: true; pid: number; runId: string; message: string; changed?: string[]; status?: LiveStatus; runs?: RunnerInfo[] }
  | { ok: false; pid: number; runId: string; error: string };

/** Unix socket paths are limited to about 107 bytes; past that no control socket is offered. */
export const MAX_SOCKET_PATH = 100;

/** Payloads of every event type, made by hand, for the slices' own tests. */
import type { Blockers } from '../../../src/core/day-state.js';
import { newJob, zeroCounts, type Job, type Status } from '../../../src/core/job.js';
import type { RunEventName, RunEvents } from '../../../src/runner/events.js';
import { T0 } from '../scenario.js';

export { T0 };

export function job(id: string, account: string, fields: Partial<Job> = {}): Job {
  return newJob({ job_id: id, account, video_path: `videos/${id}.mp4`, ...fields });
}

export function blockers(fields: Partial<Blockers> = {}): Blockers {
  return {
    global: undefined, nextAccountAt: undefined, claimableNow: 0, accountsInFlight: 0, accountsAtCap: 0, accountsFrozen: 0,
    accountsCooling: 0, accountsInGap: 0, retryingLater: 0, nextRetryAt: undefined, unassigned: 0, ...fields,
  };
}

export function started(fields: Partial<RunEvents['run-started']> = {}): RunEvents['run-started'] {
  return { runId: 'r1', ledger: '/day/progress.csv', workers: 2, cap: 1, handler: 'simulate', counts: { ...zeroCounts(), pending: 3 }, jobs: 3, at: T0, ...fields };
}

export function claimed(row: Job, workerId = 0, from: Status = 'pending', at = T0): RunEvents['job-claimed'] {
  return { job: { ...row, status: 'claimed' }, from, workerId, at };
}

export function posted(row: Job, workerId = 0, at = T0): RunEvents['job-done'] {
  return { job: { ...row, status: 'success' }, workerId, durationMs: 1000, at };
}

export function failed(row: Job, workerId = 0, at = T0, category = 'infrastructure', type = 'adb_timeout', error = 'adb timeout'): RunEvents['job-failed'] {
  return { job: { ...row, status: 'failed', error, error_category: category, error_type: type, attempts: row.attempts + 1 }, workerId, durationMs: 1000, at };
}

export function retrying(row: Job, workerId = 0, at = T0, category = 'infrastructure', type = 'adb_timeout', error = 'adb timeout'): RunEvents['job-retrying'] {
  return { job: { ...row, status: 'retrying', error, error_category: category, error_type: type, attempts: row.attempts + 1 }, workerId, durationMs: 1000, retryAt: at + 300_000, at };
}

export function unconfirmed(row: Job, workerId = 0, at = T0): RunEvents['job-unconfirmed'] {
  return { job: { ...row, status: 'unconfirmed' }, workerId, reason: 'worker thread died mid-job', at };
}

/** One event of each type, for the routing test: a new event type must be added here to compile. */
export function oneOfEach(): { [K in RunEventName]: RunEvents[K] } {
  const a = job('j1', 'acct_a');
  return {
    'run-started': started(),
    'recovered': { unconfirmed: 1, posted: 1, notPosted: 0, unknown: 0, journalRecords: 2, at: T0 },
    'job-claimed': claimed(a),
    'job-done': posted(a),
    'job-failed': failed(a),
    'job-retrying': retrying(a),
    'job-unconfirmed': unconfirmed(a),
    'cap-skip': { jobId: 'j2', account: 'acct_a', cap: 1, at: T0 },
    'pass-ended': { pass: 1, nextRetryAt: T0 + 60_000, at: T0 },
    'worker-idle': { workerId: 1, blockers: blockers({ unassigned: 2 }), at: T0 },
    'account-frozen': { account: 'acct_a', jobId: 'j1', reason: 'account/suspended: suspended', at: T0 },
    'account-cooling': { account: 'acct_b', jobId: 'j3', until: T0 + 600_000, reason: 'action_blocked: slow down', at: T0 },
    'window': { open: false, until: T0 + 3_600_000, at: T0 },
    'account-unfrozen': { account: 'acct_a', jobs: 1, at: T0 },
    'worker-died': { workerId: 1, message: 'out of memory', at: T0 },
    'ledger-written': { kind: 'snapshot', rows: 3, at: T0 },
    'external-edit': { merged: 1, refused: 0, message: '1 row merged', counts: { ...zeroCounts(), pending: 4 }, jobs: 4, at: T0 },
    'ledger-counts': { counts: { ...zeroCounts(), pending: 2, success: 2 }, jobs: 4, at: T0 },
    'paused': { paused: true, at: T0 },
    'stopping': { reason: 'q', graceMs: 30_000, at: T0 },
    'warning': { message: 'disk nearly full', at: T0 },
    'run-ended': {
      summary: { runId: 'r1', ledger: '/day/progress.csv', counts: { ...zeroCounts(), success: 3 }, unassigned: 0, jobs: 3, startedAt: T0, endedAt: T0 + 1000, passes: 1, processed: 3 },
      reason: 'done', exitCode: 0, at: T0 + 1000,
    },
  };
}

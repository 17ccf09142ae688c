/**
 * A run played by hand: rows come from the real DayState (so every event carries the row the runner
 * would send), times from a fake clock, and events go through a real RunEventStream.
 */
import { stripVTControlCharacters } from 'node:util';
import { cooldownEndOf, coolingAccounts, freezeReason, frozenAccounts, isFreezingRow } from '../../src/core/health.js';
import { newJob, type Job } from '../../src/core/job.js';
import { DayState, type DayOptions } from '../../src/core/day-state.js';
import { type FailureInput } from '../../src/core/transitions.js';
import { RunEventStream, type EndReason, type RunEvent, type RunEvents, type RunSummary } from '../../src/runner/events.js';
import { exitCodeFor } from '../../src/runner/exit-codes.js';
import { unfreeze } from '../../src/core/operator-actions.js';

export const T0 = Date.UTC(2025, 11, 14, 22, 0, 0);
export const RETRY_MS = 5 * 60_000;

export class Scenario {
  readonly events = new RunEventStream();
  readonly tracker: DayState;
  readonly log: RunEvent[] = [];
  clock = T0;
  startedAt = T0;
  processed = 0;

  constructor(jobs: Job[], readonly options: { cap?: number; workers?: number; runId?: string; ledger?: string; health?: DayOptions['health']; pacing?: DayOptions['pacing'] } = {}) {
    this.tracker = new DayState(jobs, { cap: options.cap ?? 1, ...(options.health ? { health: options.health } : {}), ...(options.pacing ? { pacing: options.pacing } : {}), random: () => 0 });
    this.events.onAny((event) => this.log.push(event));
  }

  now = (): number => this.clock;

  advance(ms: number): this {
    this.clock += ms;
    return this;
  }

  /** Like the runner: the accounts frozen or cooling down in the ledger come with run-started; `pacing` are the rules' phrases. */
  start(pacing: string[] = []): this {
    this.startedAt = this.clock;
    this.events.emit('run-started', {
      runId: this.options.runId ?? '7f3c0a', ledger: this.options.ledger ?? '/home/op/day/progress.csv', workers: this.options.workers ?? 3,
      cap: this.tracker.cap, handler: 'simulate', counts: this.tracker.statusCounts(), jobs: this.tracker.size, at: this.clock,
      frozen: frozenAccounts(this.tracker.all(), this.tracker.health), cooling: coolingAccounts(this.tracker.all(), this.clock), pacing,
    });
    return this;
  }

  claim(workerId: number): Job {
    const claim = this.tracker.claimNext({ workerId, runId: 'r', now: this.clock, pass: 1 });
    for (const skip of this.tracker.drainCapSkips()) this.events.emit('cap-skip', { ...skip, at: this.clock });
    if (!claim) throw new Error('nothing to claim');
    this.events.emit('job-claimed', { job: claim.job, from: claim.from, workerId, at: this.clock });
    return claim.job;
  }

  succeed(job: Job, workerId: number): Job {
    const row = this.tracker.succeed(job.job_id, this.clock, 'post-1');
    this.processed += 1;
    this.events.emit('job-done', { job: row, workerId, durationMs: 1000, at: this.clock });
    return row;
  }

  /** A failed attempt, then (as the runner does) the freeze or cooldown it put on its account. */
  fail(job: Job, workerId: number, message: string, failure: Omit<FailureInput, 'message'> = {}): Job {
    const row = this.tracker.fail(job.job_id, { now: this.clock, failure: { ...failure, message }, retryDelayMs: RETRY_MS });
    if (row.status === 'retrying') {
      this.events.emit('job-retrying', { job: row, workerId, durationMs: 1000, retryAt: Date.parse(row.retry_at), at: this.clock });
    } else {
      this.processed += 1;
      this.events.emit('job-failed', { job: row, workerId, durationMs: 1000, at: this.clock });
    }
    if (isFreezingRow(row, this.tracker.health)) this.events.emit('account-frozen', { account: row.account, jobId: row.job_id, reason: freezeReason(row), at: this.clock });
    const until = cooldownEndOf(row);
    if (until !== undefined) this.events.emit('account-cooling', { account: row.account, jobId: row.job_id, until, reason: `${row.error_type}: ${row.error}`, at: this.clock });
    return row;
  }

  /** `daycap unfreeze` beside the run. */
  unfreeze(account: string, retry = true): Job[] {
    const rows = unfreeze(this.tracker, account, { retry });
    if (rows.length > 0) this.events.emit('account-unfrozen', { account, jobs: rows.length, at: this.clock });
    return rows;
  }

  /** The posting window closed (until when it opens; undefined: the run ends) or opened. */
  window(open: boolean, until?: number): this {
    const event: RunEvents['window'] = { open, until, at: this.clock };
    this.events.emit('window', event);
    return this;
  }

  idle(workerId: number): this {
    this.events.emit('worker-idle', { workerId, blockers: this.tracker.blockers(this.clock), at: this.clock });
    return this;
  }

  end(reason: EndReason = 'done'): RunSummary {
    const summary: RunSummary = {
      runId: this.options.runId ?? '7f3c0a', ledger: this.options.ledger ?? '/home/op/day/progress.csv', counts: this.tracker.statusCounts(),
      unassigned: this.tracker.unassigned, jobs: this.tracker.size, startedAt: this.startedAt, endedAt: this.clock, passes: 1, processed: this.processed,
    };
    this.events.emit('run-ended', { summary, reason, exitCode: exitCodeFor(reason, summary), at: this.clock });
    return summary;
  }
}

/** `accounts` accounts with `perAccount` jobs each; account names and videos as the operators have them. */
export function dayJobs(accounts: number, perAccount = 1, name = (a: number) => `account${String(a).padStart(2, '0')}`): Job[] {
  const jobs: Job[] = [];
  for (let j = 0; j < perAccount; j++) {
    for (let a = 0; a < accounts; a++) {
      jobs.push(newJob({ job_id: `DMNmeE-${a}-${j}`, account: name(a), video_path: `chunk_01c/2bears/DMNmeE-${a}-${j}.mp4`, caption: `caption ${a}` }));
    }
  }
  return jobs;
}

/** The frame as text: colours stripped, trailing spaces kept. */
export function plain(frame: string | undefined): string {
  return stripVTControlCharacters(frame ?? '');
}

export function lines(frame: string | undefined): string[] {
  return plain(frame).split('\n');
}

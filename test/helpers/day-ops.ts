/**
 * Random operation sequences over the day in memory (DayState), for property tests: what a run does
 * (claim, succeed, fail, release, mark unconfirmed, settle by verify), what an operator does (skip,
 * release-stale, retry-failed, unfreeze), new jobs, restarts, and the clock moving on.
 */
import fc from 'fast-check';
import { DayState, type DayOptions } from '../../src/core/day-state.js';
import { newJob, type Job, type Status } from '../../src/core/job.js';
import { adoptOrphans, releaseStale, retryFailed, unfreeze } from '../../src/core/operator-actions.js';

export type DayOp =
  | { op: 'seed'; account: number; count: number }
  | { op: 'claim'; worker: number }
  | { op: 'succeed' | 'release' | 'unconfirm' | 'skip'; pick: number }
  | { op: 'fail'; pick: number; message: number; retryAfterMs: number | null }
  | { op: 'settle'; pick: number; verdict: number }
  | { op: 'releaseStale' }
  | { op: 'retryFailed'; all: boolean }
  | { op: 'unfreeze'; account: number; retry: boolean }
  | { op: 'restart' }
  | { op: 'tick'; ms: number };

export type DayOpKind = DayOp['op'];

/** What the operations are drawn from. */
export interface OpSpace {
  /** Account names; '' stands for a job without an account (never claimed). */
  accounts: readonly string[];
  /** Failure messages, each classified as the classifier does. */
  messages: readonly string[];
  /** Worker ids are 0 to workers - 1. */
  workers: number;
  /** How often each kind of operation is drawn, relative to the others; a kind left out is never drawn. */
  weights: Partial<Record<DayOpKind, number>>;
  /** Failures may carry a platform's retry-after. */
  retryAfter?: boolean;
  /** Ticks of up to four hours too, not only up to two minutes (to cross windows and cooldowns). */
  longTicks?: boolean;
}

const VERDICTS = ['posted', 'not-posted', 'unknown'] as const;

/** One operation, drawn from `space`. */
export function dayOp(space: OpSpace): fc.Arbitrary<DayOp> {
  const pick = fc.nat();
  const retryAfterMs: fc.Arbitrary<number | null> = space.retryAfter ? fc.option(fc.integer({ min: 0, max: 3_600_000 })) : fc.constant(null);
  const arbitraries: Record<DayOpKind, fc.Arbitrary<DayOp>> = {
    seed: fc.record({ op: fc.constant('seed' as const), account: fc.nat(space.accounts.length - 1), count: fc.integer({ min: 1, max: 3 }) }),
    claim: fc.record({ op: fc.constant('claim' as const), worker: fc.nat(space.workers - 1) }),
    succeed: fc.record({ op: fc.constant('succeed' as const), pick }),
    release: fc.record({ op: fc.constant('release' as const), pick }),
    unconfirm: fc.record({ op: fc.constant('unconfirm' as const), pick }),
    skip: fc.record({ op: fc.constant('skip' as const), pick }),
    fail: fc.record({
      op: fc.constant('fail' as const), pick, message: fc.nat(space.messages.length - 1), retryAfterMs,
    }),
    settle: fc.record({ op: fc.constant('settle' as const), pick, verdict: fc.nat(VERDICTS.length - 1) }),
    releaseStale: fc.constant({ op: 'releaseStale' as const }),
    retryFailed: fc.record({ op: fc.constant('retryFailed' as const), all: fc.boolean() }),
    // Accounts with a name only: '' is last in every space.
    unfreeze: fc.record({ op: fc.constant('unfreeze' as const), account: fc.nat(Math.max(0, space.accounts.length - 2)), retry: fc.boolean() }),
    restart: fc.constant({ op: 'restart' as const }),
    tick: fc.record({
      op: fc.constant('tick' as const),
      ms: space.longTicks ? fc.oneof(fc.integer({ min: 0, max: 120_000 }), fc.integer({ min: 0, max: 4 * 3_600_000 })) : fc.integer({ min: 0, max: 120_000 }),
    }),
  };
  const drawn = (Object.entries(space.weights) as Array<[DayOpKind, number]>).filter(([, weight]) => weight > 0);
  return fc.oneof(...drawn.map(([kind, weight]) => ({ weight, arbitrary: arbitraries[kind] })));
}

/**
 * A day that operations are applied to, with its own clock. A restart builds a new day from the rows
 * (with the same options) and adopts the old run's claims, as a real start-up does.
 */
export class DayRun {
  day: DayState;
  now: number;
  private nextId: number;

  constructor(readonly space: OpSpace, readonly options: DayOptions, start: number, jobs: readonly Job[] = []) {
    this.day = new DayState(jobs, options);
    this.now = start;
    this.nextId = jobs.length;
  }

  /** Applies one operation; returns the job a claim took, if any. An operation with nothing to act on does nothing. */
  apply(step: DayOp): Job | undefined {
    const { day, now } = this;
    switch (step.op) {
      case 'seed':
        for (let i = 0; i < step.count; i++) day.add(newJob({ job_id: `j${this.nextId++}`, account: this.space.accounts[step.account]!, max_attempts: 2 }));
        return undefined;
      case 'claim':
        return day.claimNext({ workerId: step.worker, runId: 'r', now, pass: 1 })?.job;
      case 'succeed':
        this.withJob('claimed', step.pick, (id) => day.succeed(id, now));
        return undefined;
      case 'fail': {
        const failure = { message: this.space.messages[step.message]!, ...(step.retryAfterMs === null ? {} : { retryAfterMs: step.retryAfterMs }) };
        this.withJob('claimed', step.pick, (id) => day.fail(id, { now, failure, retryDelayMs: 30_000 }));
        return undefined;
      }
      case 'release':
        this.withJob('claimed', step.pick, (id) => day.release(id));
        return undefined;
      case 'unconfirm':
        this.withJob('claimed', step.pick, (id) => day.markUnconfirmed(id, now));
        return undefined;
      case 'settle':
        this.withJob('unconfirmed', step.pick, (id) => day.settle(id, VERDICTS[step.verdict % VERDICTS.length]!, now));
        return undefined;
      case 'skip':
        this.withJob('pending', step.pick, (id) => day.skip(id, 'operator'));
        return undefined;
      case 'releaseStale':
        releaseStale(day, { now, olderThanMs: 60_000 });
        return undefined;
      case 'retryFailed':
        retryFailed(day, { includeNonRetryable: step.all });
        return undefined;
      case 'unfreeze':
        unfreeze(day, this.space.accounts[step.account]!, { retry: step.retry });
        return undefined;
      case 'restart':
        this.day = new DayState(day.all(), this.options);
        adoptOrphans(this.day, 'r2', now);
        return undefined;
      case 'tick':
        this.now += step.ms;
        return undefined;
    }
  }

  /** The `n`th job (modulo their number) in `status`, if any, given to `act`. */
  private withJob(status: Status, n: number, act: (jobId: string) => unknown): void {
    const candidates = this.day.all().filter((job) => job.status === status);
    if (candidates.length > 0) act(candidates[n % candidates.length]!.job_id);
  }
}

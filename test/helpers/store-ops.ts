/**
 * The operations of test/helpers/day-ops.ts applied through the Store interface, so the same random
 * sequences run against every store (the file store and the PostgreSQL store) and the same checks
 * hold after each step: what a run does (claims, outcomes, a lost worker, verify's verdicts), what an
 * operator does, new jobs, restarts (a new run adopting the old one's claims) and the clock.
 */
import { expect } from 'vitest';
import { countedAt } from '../../src/core/claim-policy.js';
import { DayState } from '../../src/core/day-state.js';
import { CAPPED_STATUSES, newJob, type Job, type Status } from '../../src/core/job.js';
import type { DayRules, Store } from '../../src/store/store.js';
import type { DayOp, OpSpace } from './day-ops.js';

const VERDICTS = ['posted', 'not-posted', 'unknown'] as const;

/** Opens the ledger as run `runId` would (the file store, or a database store with its lease). */
export type OpenRun = (runId: string) => Promise<Store>;

export class StoreRun {
  now: number;
  private runs = 1;
  private nextId = 0;

  private constructor(readonly space: OpSpace, readonly rules: DayRules, private readonly open: OpenRun, public store: Store, start: number) {
    this.now = start;
  }

  static async start(space: OpSpace, rules: DayRules, open: OpenRun, start: number): Promise<StoreRun> {
    return new StoreRun(space, rules, open, await open('r1'), start);
  }

  get runId(): string {
    return `r${this.runs}`;
  }

  /** Applies one operation; an operation with nothing to act on does nothing. */
  async apply(step: DayOp): Promise<void> {
    const { store, now, runId } = this;
    switch (step.op) {
      case 'seed': {
        const jobs = Array.from({ length: step.count }, () => newJob({ job_id: `j${this.nextId++}`, account: this.space.accounts[step.account]!, max_attempts: 2 }));
        await store.act({ kind: 'add', jobs }, now);
        return;
      }
      case 'claim': {
        const got = await store.exchange({ runId, workerId: step.worker, now, reports: [], want: 1 });
        // Nothing claimed must mean nothing claimable: the store's ready queue never hides work.
        if (got.claimed.length === 0) expect(freshDay(await store.rows(), this.rules).claimNext({ workerId: 0, runId: 'check', now }), 'a claimable job was left unclaimed').toBeUndefined();
        return;
      }
      case 'succeed':
        return this.report('claimed', step.pick, (jobId) => ({ kind: 'outcome', jobId, outcome: { ok: true, postId: `p-${jobId}` } }));
      case 'fail': {
        const error = { message: this.space.messages[step.message]!, ...(step.retryAfterMs === null ? {} : { retryAfterMs: step.retryAfterMs }) };
        return this.report('claimed', step.pick, (jobId) => ({ kind: 'outcome', jobId, outcome: { ok: false, error } }));
      }
      case 'release':
        return this.report('claimed', step.pick, (jobId) => ({ kind: 'unstarted', jobId }));
      case 'unconfirm':
        return this.report('claimed', step.pick, (jobId) => ({ kind: 'lost', jobId }));
      case 'settle': {
        const jobId = await this.pick('unconfirmed', step.pick);
        if (jobId) await store.act({ kind: 'verified', verdicts: [{ jobId, verdict: VERDICTS[step.verdict % VERDICTS.length]! }] }, now);
        return;
      }
      case 'skip': {
        const jobId = await this.pick('pending', step.pick);
        if (jobId) await store.act({ kind: 'skip', jobs: [{ jobId, reason: 'operator' }] }, now);
        return;
      }
      case 'releaseStale':
        await store.act({ kind: 'release-stale', olderThanMs: 60_000 }, now);
        return;
      case 'retryFailed':
        await store.act({ kind: 'retry-failed', includeNonRetryable: step.all }, now);
        return;
      case 'unfreeze':
        await store.act({ kind: 'unfreeze', account: this.space.accounts[step.account]!, retry: step.retry }, now);
        return;
      case 'restart':
        await store.close({ final: true, label: runId });
        this.runs += 1;
        this.store = await this.open(this.runId);
        await this.store.act({ kind: 'adopt-orphans', runId: this.runId }, now);
        return;
      case 'tick':
        this.now += step.ms;
        return;
    }
  }

  private async report(status: Status, n: number, report: (jobId: string) => Parameters<Store['exchange']>[0]['reports'][number]): Promise<void> {
    const jobId = await this.pick(status, n);
    if (jobId) await this.store.exchange({ runId: this.runId, workerId: 0, now: this.now, reports: [report(jobId)], want: 0 });
  }

  /** The `n`th job (modulo their number) in `status`, in ledger order. */
  private async pick(status: Status, n: number): Promise<string | undefined> {
    const candidates = (await this.store.rows()).filter((job) => job.status === status);
    return candidates.length > 0 ? candidates[n % candidates.length]!.job_id : undefined;
  }

  close(): Promise<void> {
    return this.store.close({ final: true, label: this.runId });
  }
}

function freshDay(rows: readonly Job[], rules: DayRules): DayState {
  return new DayState(rows, { cap: rules.cap, health: rules.health, pacing: rules.pacing });
}

/** G1 and G2 on the store's rows, recounted from them; and the store's counts agree with its rows. */
export async function checkStoreGuarantees(store: Store, rules: DayRules, now: number): Promise<void> {
  const rows = await store.rows();
  const day = freshDay(rows, rules);
  const claimed = new Map<string, number>();
  for (const row of rows) if (row.account && row.status === 'claimed') claimed.set(row.account, (claimed.get(row.account) ?? 0) + 1);
  for (const name of day.accountNames()) {
    if (!name) continue;
    expect(countedAt(day.accountState(name)!, now, day.capRule.rolling), `G1 for ${name}`).toBeLessThanOrEqual(rules.cap);
    expect(claimed.get(name) ?? 0, `G2 for ${name}`).toBeLessThanOrEqual(1);
  }
  const tally = await store.tally();
  expect(tally.jobs).toBe(rows.length);
  expect(tally.counts).toEqual(day.statusCounts());
  expect(rows.filter((row) => CAPPED_STATUSES.has(row.status)).length).toBe(tally.counts.success + tally.counts.claimed + tally.counts.unconfirmed);
}

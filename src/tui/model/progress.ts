/**
 * How far the day is: the ledger's status counts and its size, the jobs this run cannot take (no
 * account, held back by the cap), and how fast jobs finish.
 *
 * A claim moves its job from the status the event names (pending, or retrying for a retry) to
 * claimed; an outcome always ends a claim of this run, so it moves its job from claimed. Events
 * that carry the ledger's own counts (a merge of an outside edit, a shared ledger's totals with other
 * hosts' work, the run's end) replace ours.
 */
import { zeroCounts, type Status, type StatusCounts } from '../../core/job.js';
import type { Blockers } from '../../core/day-state.js';
import type { Reducer } from './reducer.js';
import { MINUTE, Throughput } from './throughput.js';

export interface Progress {
  counts: StatusCounts;
  /** Jobs in the ledger. */
  total: number;
  /** The latest blockers a worker reported (for jobs without an account). */
  lastBlockers: Blockers | undefined;
  /** Jobs without an account, as the run's summary said at its end. */
  unassignedAtEnd: number | undefined;
  /** Jobs passed over because their account is at the cap: they stay pending today. */
  readonly heldByCap: Set<string>;
  readonly throughput: Throughput;
}

export function newProgress(): Progress {
  return { counts: zeroCounts(), total: 0, lastBlockers: undefined, unassignedAtEnd: undefined, heldByCap: new Set(), throughput: new Throughput() };
}

type ProgressEvent =
  | 'run-started' | 'job-claimed' | 'job-done' | 'job-failed' | 'job-retrying' | 'job-unconfirmed'
  | 'cap-skip' | 'worker-idle' | 'external-edit' | 'ledger-counts' | 'run-ended';

export const progressReducer: Reducer<Progress, ProgressEvent> = {
  'run-started': (p, e) => {
    p.counts = { ...zeroCounts(), ...e.counts };
    p.total = e.jobs;
  },
  'job-claimed': (p, e) => {
    const c = p.counts;
    if (e.from === 'pending') {
      // The common case, spelled out: named fields are cheaper than a lookup by a variable key.
      if (c.pending > 0) c.pending -= 1;
      c.claimed += 1;
    } else move(c, e.from, 'claimed');
    if (p.heldByCap.size > 0) p.heldByCap.delete(e.job.job_id);
  },
  'job-done': (p, e) => {
    // The common outcome, spelled out like the common claim.
    const c = p.counts;
    if (c.claimed > 0) c.claimed -= 1;
    c.success += 1;
    p.throughput.add(e.at);
  },
  'job-failed': (p, e) => {
    move(p.counts, 'claimed', 'failed');
    p.throughput.add(e.at);
  },
  'job-retrying': (p) => move(p.counts, 'claimed', 'retrying'),
  'job-unconfirmed': (p) => move(p.counts, 'claimed', 'unconfirmed'),
  'cap-skip': (p, e) => {
    p.heldByCap.add(e.jobId);
  },
  'worker-idle': (p, e) => {
    p.lastBlockers = e.blockers;
  },
  'external-edit': (p, e) => {
    p.counts = { ...zeroCounts(), ...e.counts };
    p.total = e.jobs;
  },
  'ledger-counts': (p, e) => {
    p.counts = { ...zeroCounts(), ...e.counts };
    p.total = e.jobs;
  },
  'run-ended': (p, e) => {
    p.counts = { ...e.summary.counts };
    p.total = e.summary.jobs;
    p.unassignedAtEnd = e.summary.unassigned;
  },
};

function move(counts: StatusCounts, from: Status, to: Status): void {
  if (counts[from] > 0) counts[from] -= 1;
  counts[to] += 1;
}


/** Pending jobs with no account (never claimed), as last reported. */
export function unassigned(p: Progress): number {
  return p.unassignedAtEnd ?? p.lastBlockers?.unassigned ?? 0;
}

/** Pending jobs this run cannot take: without an account, or held back by the cap. */
export function setAside(p: Progress): number {
  return Math.min(p.counts.pending, unassigned(p) + p.heldByCap.size);
}

/** Jobs this run can still work on: claimable pending, in flight, waiting to retry. */
export function remaining(p: Progress): number {
  const c = p.counts;
  return c.pending - setAside(p) + c.claimed + c.retrying;
}

/**
 * Jobs settled (posted, failed for good, skipped, or unconfirmed): the progress bar's numerator.
 * Jobs set aside (no account, held by the cap) are not done; the progress line shows them apart.
 */
export function done(p: Progress): number {
  return Math.max(0, Math.min(p.total, p.total - remaining(p) - setAside(p)));
}

/** Time left at the recent rate (jobs per minute), or undefined when there is no rate yet or nothing left. */
export function etaMs(p: Progress, ratePerMinute: number): number | undefined {
  const left = remaining(p);
  if (left === 0 || ratePerMinute <= 0) return undefined;
  return (left / ratePerMinute) * MINUTE;
}

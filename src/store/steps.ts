/**
 * What a worker's report and an operator's action do to the day, in one place for every store that
 * keeps the day in memory. Each returns the rows as changed.
 */
import type { DayState } from '../core/day-state.js';
import type { Job } from '../core/job.js';
import { adoptOrphans, releaseStale, retryFailed, unfreeze } from '../core/operator-actions.js';
import type { Action, DayRules, Report } from './store.js';

export function applyReport(day: DayState, report: Report, now: number, rules: DayRules): Job {
  switch (report.kind) {
    case 'outcome': {
      const { outcome } = report;
      if (outcome.ok) return day.succeed(report.jobId, now, outcome.postId);
      return day.fail(report.jobId, { now, failure: outcome.error, retryDelayMs: rules.retryDelayMs, rules: rules.rules });
    }
    case 'abandoned':
    case 'lost':
      return day.markUnconfirmed(report.jobId, now);
    case 'unstarted':
      return day.release(report.jobId);
  }
}

/** What a shared ledger knows beyond the day's rows: the runs alive on other hosts, whose claims are theirs. */
export interface ActionContext {
  liveRuns?: ReadonlySet<string> | undefined;
}

export function applyAction(day: DayState, action: Action, now: number, rules: DayRules, context: ActionContext = {}): Job[] {
  switch (action.kind) {
    case 'retry-failed': {
      const { kind: _kind, ...options } = action;
      return retryFailed(day, { rules: rules.rules, ...options });
    }
    case 'release-stale':
      return releaseStale(day, { now, olderThanMs: action.olderThanMs, liveRuns: context.liveRuns });
    case 'unfreeze':
      return unfreeze(day, action.account, { retry: action.retry });
    case 'skip':
      return action.jobs.map(({ jobId, reason }) => day.skip(jobId, reason));
    case 'verified':
      return action.verdicts.flatMap(({ jobId, verdict, postId }) => day.settle(jobId, verdict, now, postId) ?? []);
    case 'adopt-orphans':
      return adoptOrphans(day, action.runId, now, context.liveRuns);
    case 'add':
      return action.jobs.map((job) => day.add(job));
  }
}

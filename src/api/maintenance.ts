/** The operator's fixes on a ledger no runner holds: retry-failed, release-stale and unfreeze. */
import type { CategoryRule } from '../core/classify.js';
import type { Job } from '../core/job.js';
import type { HealthPolicy } from '../core/policy.js';
import { Tracker } from '../core/tracker.js';
import { openForCommand } from './open.js';

async function mutate(ledger: string, command: string, change: (tracker: Tracker) => Job[], health?: HealthPolicy): Promise<Job[]> {
  const store = await openForCommand(ledger, command);
  try {
    // The cap does not matter here: these transitions never claim.
    const tracker = new Tracker(store.jobs, { cap: Number.MAX_SAFE_INTEGER, ...(health ? { health } : {}) });
    const changed = change(tracker);
    if (changed.length > 0) await store.snapshot(tracker.all());
    return changed;
  } finally {
    await store.close(undefined, command.replace(/^daycap /, ''));
  }
}

export interface RetryFailedOptions {
  ledger: string;
  includeNonRetryable?: boolean | undefined;
  category?: string | undefined;
  type?: string | undefined;
  rules?: readonly CategoryRule[] | undefined;
}

export function retryFailed(options: RetryFailedOptions): Promise<Job[]> {
  return mutate(options.ledger, 'daycap retry-failed', (tracker) => tracker.retryFailed({
    includeNonRetryable: options.includeNonRetryable === true || options.category !== undefined,
    ...(options.rules ? { rules: options.rules } : {}),
    filter: (job) => (options.category === undefined || job.error_category === options.category) && (options.type === undefined || job.error_type === options.type),
  }));
}

export function releaseStale(options: { ledger: string; olderThanMs: number; now: number }): Promise<Job[]> {
  return mutate(options.ledger, 'daycap release-stale', (tracker) => tracker.releaseStale({ now: options.now, olderThanMs: options.olderThanMs }));
}

export function unfreeze(options: { ledger: string; account: string; retry: boolean; health?: HealthPolicy | undefined }): Promise<Job[]> {
  return mutate(options.ledger, 'daycap unfreeze', (tracker) => tracker.unfreeze(options.account, { retry: options.retry }), options.health);
}

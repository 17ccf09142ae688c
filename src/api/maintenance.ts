/** The operator's fixes on a ledger no runner holds: retry-failed, release-stale and unfreeze. */
import type { CategoryRule } from '../core/classify.js';
import type { Job } from '../core/job.js';
import type { HealthPolicy } from '../core/policy.js';
import { ledgerTimeFormat, timeFormatter } from '../core/time.js';
import { Tracker } from '../core/tracker.js';
import { openForCommand } from './open.js';

/** `warn`: lines for the operator, such as a torn journal tail found while opening. */
async function mutate(ledger: string, command: string, change: (tracker: Tracker) => Job[], options: { health?: HealthPolicy | undefined; warn?: ((line: string) => void) | undefined } = {}): Promise<Job[]> {
  const store = await openForCommand(ledger, command, options.warn);
  try {
    // The cap does not matter here: these transitions never claim. Any time they write keeps the ledger's convention.
    const formatTime = timeFormatter(ledgerTimeFormat(store.jobs));
    const tracker = new Tracker(store.jobs, { cap: Number.MAX_SAFE_INTEGER, formatTime, ...(options.health ? { health: options.health } : {}) });
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
  warn?: ((line: string) => void) | undefined;
}

export function retryFailed(options: RetryFailedOptions): Promise<Job[]> {
  return mutate(options.ledger, 'daycap retry-failed', (tracker) => tracker.retryFailed({
    includeNonRetryable: options.includeNonRetryable === true || options.category !== undefined,
    ...(options.rules ? { rules: options.rules } : {}),
    filter: (job) => (options.category === undefined || job.error_category === options.category) && (options.type === undefined || job.error_type === options.type),
  }), { warn: options.warn });
}

export function releaseStale(options: { ledger: string; olderThanMs: number; now: number; warn?: ((line: string) => void) | undefined }): Promise<Job[]> {
  return mutate(options.ledger, 'daycap release-stale', (tracker) => tracker.releaseStale({ now: options.now, olderThanMs: options.olderThanMs }), { warn: options.warn });
}

export function unfreeze(options: { ledger: string; account: string; retry: boolean; health?: HealthPolicy | undefined; warn?: ((line: string) => void) | undefined }): Promise<Job[]> {
  return mutate(options.ledger, 'daycap unfreeze', (tracker) => tracker.unfreeze(options.account, { retry: options.retry }), { health: options.health, warn: options.warn });
}

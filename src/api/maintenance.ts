/** The operator's fixes on a ledger no runner holds: retry-failed, release-stale and unfreeze. */
import type { CategoryRule } from '../core/classify.js';
import type { Job } from '../core/job.js';
import type { HealthPolicy } from '../core/policy.js';
import { ledgerTimeFormat, timeFormatter } from '../core/time.js';
import { Tracker } from '../core/tracker.js';
import type { LockTiming } from '../ledger/lock/index.js';
import { openForCommand } from './open.js';

/** What every fix may be given besides its own settings. */
interface FixOptions extends LockTiming {
  /** Lines for the operator, such as a torn journal tail found while opening. */
  warn?: ((line: string) => void) | undefined;
}

async function mutate(ledger: string, command: string, change: (tracker: Tracker) => Job[], options: FixOptions & { health?: HealthPolicy | undefined }): Promise<Job[]> {
  const store = await openForCommand(ledger, { command, warn: options.warn, staleMs: options.staleMs });
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

export interface RetryFailedOptions extends FixOptions {
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
  }), options);
}

export function releaseStale(options: FixOptions & { ledger: string; olderThanMs: number; now: number }): Promise<Job[]> {
  return mutate(options.ledger, 'daycap release-stale', (tracker) => tracker.releaseStale({ now: options.now, olderThanMs: options.olderThanMs }), options);
}

export function unfreeze(options: FixOptions & { ledger: string; account: string; retry: boolean; health?: HealthPolicy | undefined }): Promise<Job[]> {
  return mutate(options.ledger, 'daycap unfreeze', (tracker) => tracker.unfreeze(options.account, { retry: options.retry }), options);
}

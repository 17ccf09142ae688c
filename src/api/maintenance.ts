/** The operator's fixes on a ledger no runner holds: retry-failed, release-stale and unfreeze. */
import type { CategoryRule } from '../core/classify.js';
import type { Job } from '../core/job.js';
import type { HealthPolicy } from '../core/policy.js';
import type { LockTiming } from '../ledger/lock/index.js';
import type { Action } from '../store/store.js';
import { openForCommand } from './open.js';

/** What every fix may be given besides its own settings. */
interface FixOptions extends LockTiming {
  ledger: string;
  health?: HealthPolicy | undefined;
  rules?: readonly CategoryRule[] | undefined;
  /** Lines for the operator, such as a torn journal tail found while opening. */
  warn?: ((line: string) => void) | undefined;
}

/** One action on the file, under the lock; any time it writes keeps the ledger's convention. */
async function fix(command: string, action: Action, options: FixOptions, now = Date.now()): Promise<Job[]> {
  const store = await openForCommand(options.ledger, {
    command,
    warn: options.warn,
    staleMs: options.staleMs,
    rules: { ...(options.health ? { health: options.health } : {}), ...(options.rules ? { rules: options.rules } : {}) },
  });
  try {
    return (await store.act(action, now)).changed;
  } finally {
    await store.close({ final: true, label: command.replace(/^daycap /, '') });
  }
}

export interface RetryFailedOptions extends FixOptions {
  includeNonRetryable?: boolean | undefined;
  category?: string | undefined;
  type?: string | undefined;
}

export function retryFailed(options: RetryFailedOptions): Promise<Job[]> {
  return fix('daycap retry-failed', { kind: 'retry-failed', includeNonRetryable: options.includeNonRetryable, category: options.category, type: options.type }, options);
}

export function releaseStale(options: FixOptions & { olderThanMs: number; now: number }): Promise<Job[]> {
  return fix('daycap release-stale', { kind: 'release-stale', olderThanMs: options.olderThanMs }, options, options.now);
}

export function unfreeze(options: FixOptions & { account: string; retry: boolean }): Promise<Job[]> {
  return fix('daycap unfreeze', { kind: 'unfreeze', account: options.account, retry: options.retry }, options);
}

/** Opening a ledger for a one-shot mutating command: refused if invalid, then lock and journal recovery. */
import { DEFAULT_RETRY_DELAY_MS } from '../core/job.js';
import { DEFAULT_HEALTH, DEFAULT_PACING } from '../core/policy.js';
import type { LockTiming } from '../ledger/lock/index.js';
import type { DayRules, Store } from '../store/store.js';
import { validLedgerAt } from './valid-ledger.js';

export interface CommandOpenOptions extends LockTiming {
  /** As the operator typed it ('daycap seed'); shown to anyone who finds the ledger locked. */
  command: string;
  /** Lines for the operator, such as a torn journal tail found while opening. */
  warn?: ((line: string) => void) | undefined;
  /** The rules the command's changes follow; a command never claims, so the cap does not matter. */
  rules?: Partial<DayRules> | undefined;
}

/**
 * Takes the ledger for a one-shot command: an invalid ledger (0 bytes, header only, unparseable) is
 * refused as it is, and each change the command makes rewrites the CSV atomically.
 */
export async function openForCommand(ledger: string, options: CommandOpenOptions): Promise<Store> {
  const where = await validLedgerAt(ledger, { staleMs: options.staleMs });
  const store = await where.open({
    command: options.command,
    durability: 'snapshot',
    rules: { cap: Number.MAX_SAFE_INTEGER, health: DEFAULT_HEALTH, pacing: DEFAULT_PACING, retryDelayMs: DEFAULT_RETRY_DELAY_MS, ...options.rules },
  });
  for (const notice of store.notices) options.warn?.(`warning: ${notice}`);
  return store;
}

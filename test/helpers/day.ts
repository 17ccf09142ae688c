/** Checks on the in-memory day that only tests need: the guarantees and every index, recounted from the rows. */
import { expect } from 'vitest';
import { countedAt } from '../../src/core/claim-policy.js';
import { DayState } from '../../src/core/day-state.js';
import { CAPPED_STATUSES, STATUSES, zeroCounts, type StatusCounts } from '../../src/core/job.js';
import { DEFAULT_PACING, type PacingPolicy } from '../../src/core/policy.js';

/** The default pacing with some rules changed. */
export const pacing = (fields: Partial<PacingPolicy>): PacingPolicy => ({ ...DEFAULT_PACING, ...fields });

/**
 * G1 (no account over the day cap) and G2 (one claim per account at a time), recounted from the rows
 * themselves rather than from the day's indexes; then the counts add up and every index is true.
 */
export function checkGuarantees(day: DayState): void {
  const rows = day.all();
  const counted = new Map<string, number>();
  const claimed = new Map<string, number>();
  for (const row of rows) {
    if (!row.account) continue;
    if (CAPPED_STATUSES.has(row.status)) counted.set(row.account, (counted.get(row.account) ?? 0) + 1);
    if (row.status === 'claimed') claimed.set(row.account, (claimed.get(row.account) ?? 0) + 1);
  }
  for (const [account, n] of counted) expect(n, `G1 for ${account}`).toBeLessThanOrEqual(day.cap);
  for (const [account, n] of claimed) expect(n, `G2 for ${account}`).toBeLessThanOrEqual(1);
  const counts = day.statusCounts();
  expect(STATUSES.reduce((sum, status) => sum + counts[status], 0), 'status counts').toBe(rows.length);
  checkIndexes(day);
}

/** Rebuilds the day from its rows and compares every index with the live one. O(n). */
export function checkIndexes(day: DayState): void {
  const fresh = new DayState(day.all(), { cap: day.cap, health: day.health, pacing: day.pacing });
  expect(day.statusCounts(), 'counts').toEqual(fresh.statusCounts());
  expect(day.unassigned, 'unassigned').toBe(fresh.unassigned);
  for (const name of fresh.accountNames()) {
    const mine = day.accountState(name);
    const want = fresh.accountState(name)!;
    expect(mine?.counted ?? 0, `counted ${name}`).toBe(want.counted);
    expect(mine?.claimed ?? 0, `claimed ${name}`).toBe(want.claimed);
    expect(mine?.unconfirmed ?? 0, `unconfirmed ${name}`).toBe(want.unconfirmed);
    expect(mine?.frozenReason, `frozen ${name}`).toBe(want.frozenReason);
    expect(mine?.coolUntil ?? -Infinity, `cooldown ${name}`).toBe(want.coolUntil);
  }
}

export interface AccountSummary {
  counted: number;
  inFlight: boolean;
  byStatus: StatusCounts;
}

/** One account's counts, from its rows and its indexed state. */
export function accountSummary(day: DayState, account: string, now = 0): AccountSummary | undefined {
  const state = day.accountState(account);
  if (!state) return undefined;
  const byStatus = zeroCounts();
  for (const job of day.rows()) if (job.account === account) byStatus[job.status] += 1;
  return { counted: countedAt(state, now, day.capRule.rolling), inFlight: state.busy, byStatus };
}

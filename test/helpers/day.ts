/** Checks on the in-memory day that only tests need: every index against a recount from the rows. */
import { expect } from 'vitest';
import { countedAt } from '../../src/core/claim-policy.js';
import { DayState } from '../../src/core/day-state.js';
import { zeroCounts, type StatusCounts } from '../../src/core/job.js';

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

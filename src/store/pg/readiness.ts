/**
 * When an account may next be claimed by itself: the `accounts` table's ready queue. An account
 * that may be claimed now is ready at 0, whatever a host's clock says (hosts' clocks need not
 * agree); one held by a rule that ends by itself is ready when it ends. A claim locks accounts
 * whose time has come, in the order they became ready, then decides with the same pure rules as one
 * machine (core/claim-policy.ts), so the queue is an index, never the judge: a time too early costs
 * one wasted look and is corrected by it; a time too late would leave work undone, so a store
 * whose rules may differ from the runs' (a one-shot command) only ever writes early times.
 */
import { accountHold, type AccountHold } from '../../core/claim-policy.js';
import type { DayState } from '../../core/day-state.js';
import { parseTime } from '../../core/time.js';

/** What holds an account's work back: a claim rule, a retry later, or no work at all. */
export type AccountWait = AccountHold['rule'] | 'retry' | 'idle';

/** Ready at once. */
export const READY_NOW = 0;

export interface Readiness {
  account: string;
  /** Epoch ms from which it may be claimed (READY_NOW: now); null when only a change of its rows can free it. */
  readyAt: number | null;
  /** Null when it may be claimed now. */
  hold: AccountWait | null;
  streak: number;
}

/**
 * The readiness of `accounts` in `day` at `now`. `exact`: by the run's own rules; otherwise as early
 * as the rows allow (any due work is ready now), for a store that does not know the runs' rules.
 */
export function readinessOf(day: DayState, accounts: Iterable<string>, now: number, exact: boolean): Readiness[] {
  // Lets retries due by now join their account's due work.
  day.nextRetryAt(now);
  const nextRetry = futureRetries(day, now);
  const out: Readiness[] = [];
  for (const account of accounts) {
    const state = day.accountState(account);
    const streak = state?.streak ?? 0;
    const base = { account, streak };
    if (!state) out.push({ ...base, readyAt: null, hold: 'idle' });
    else if (state.due.size > 0) out.push({ ...base, ...(exact ? dueReadiness(day, account, now) : { readyAt: READY_NOW, hold: null }) });
    else {
      const retryAt = nextRetry.get(account);
      if (retryAt === undefined) out.push({ ...base, readyAt: null, hold: 'idle' });
      else out.push({ ...base, ...(exact ? retryReadiness(day, account, retryAt) : { readyAt: retryAt, hold: 'retry' }) });
    }
  }
  return out;
}

/** An account with work due now: ready now, when its hold ends by itself, or not by itself. */
function dueReadiness(day: DayState, account: string, now: number): Pick<Readiness, 'readyAt' | 'hold'> {
  const state = day.accountState(account)!;
  const hold = accountHold(state, now, day.capRule);
  if (!hold) return { readyAt: READY_NOW, hold: null };
  if ('until' in hold && hold.until !== undefined) return { readyAt: hold.until, hold: hold.rule };
  return { readyAt: null, hold: hold.rule };
}

/** An account whose next work is a retry at `retryAt`: ready then, unless a rule still holds it at that moment. */
function retryReadiness(day: DayState, account: string, retryAt: number): Pick<Readiness, 'readyAt' | 'hold'> {
  const state = day.accountState(account)!;
  let at = retryAt;
  for (let i = 0; i < 4; i++) {
    const hold = accountHold(state, at, day.capRule);
    if (!hold) break;
    if (!('until' in hold) || hold.until === undefined) return { readyAt: null, hold: hold.rule };
    if (hold.until <= at) break;
    at = hold.until;
  }
  return { readyAt: at, hold: 'retry' };
}

/** Each account's earliest retry not yet due. */
function futureRetries(day: DayState, now: number): Map<string, number> {
  const next = new Map<string, number>();
  for (const row of day.rows()) {
    if (row.status !== 'retrying' || !row.account) continue;
    const at = parseTime(row.retry_at) ?? -Infinity;
    if (at <= now) continue;
    const known = next.get(row.account);
    if (known === undefined || at < known) next.set(row.account, at);
  }
  return next;
}

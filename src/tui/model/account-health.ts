/**
 * Accounts frozen for the day by an account failure (until `daycap unfreeze`), and accounts cooling
 * down until a time. Both change on rare events of their own, never on a claim or a post.
 */
import { byName } from '../text.js';
import type { Reducer } from './reducer.js';

/** An account cooling down, as the `a` view lists it. */
export interface CoolingView {
  account: string;
  until: number;
  reason: string;
}

export interface AccountHealth {
  /** Frozen account → why. */
  readonly frozen: Map<string, string>;
  /** Cooling account → until when (epoch ms; an entry whose time has passed is no longer shown) and why. */
  readonly cooling: Map<string, { until: number; reason: string }>;
}

export function newAccountHealth(): AccountHealth {
  return { frozen: new Map(), cooling: new Map() };
}

export const accountHealthReducer: Reducer<AccountHealth, 'run-started' | 'account-frozen' | 'account-unfrozen' | 'account-cooling'> = {
  /** A run starts from what its ledger says. */
  'run-started': (h, e) => {
    h.frozen.clear();
    for (const f of e.frozen ?? []) h.frozen.set(f.account, f.reason);
    h.cooling.clear();
    for (const c of e.cooling ?? []) coolDown(h, c.account, c.until, c.reason);
  },
  'account-frozen': (h, e) => {
    h.frozen.set(e.account, e.reason);
  },
  'account-unfrozen': (h, e) => {
    h.frozen.delete(e.account);
  },
  'account-cooling': (h, e) => coolDown(h, e.account, e.until, e.reason),
};

/** The latest end wins: an account cools down until its last cooldown is over. */
function coolDown(h: AccountHealth, account: string, until: number, reason: string): void {
  if ((h.cooling.get(account)?.until ?? -Infinity) > until) return;
  h.cooling.set(account, { until, reason });
}

/** Accounts still cooling down at `now`, the soonest free first. Entries that ran out are dropped. */
export function coolingAt(h: AccountHealth, now: number): CoolingView[] {
  const out: CoolingView[] = [];
  for (const [account, { until, reason }] of h.cooling) {
    if (until > now) out.push({ account, until, reason });
    else h.cooling.delete(account);
  }
  return out.sort((a, b) => a.until - b.until || byName(a.account, b.account));
}

/** How many accounts are still cooling down at `now`. */
export function coolingCount(h: AccountHealth, now: number): number {
  let n = 0;
  for (const { until } of h.cooling.values()) if (until > now) n += 1;
  return n;
}

/** Frozen accounts by name, with why. */
export function frozenRows(h: AccountHealth): Array<{ account: string; reason: string }> {
  return [...h.frozen].map(([account, reason]) => ({ account, reason })).sort((a, b) => byName(a.account, b.account));
}

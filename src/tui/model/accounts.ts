/**
 * Every account seen, and how many are at the cap or have a job in flight. A claim counts toward
 * its account's cap unless its job already did (claimed from a status that counts); an outcome
 * ends the claim, and releases the count unless the job still counts (posted, or unconfirmed).
 */
import { CAPPED_STATUSES, type Status } from '../../core/job.js';
import { byName } from '../text.js';
import type { AccountTrouble } from './failures.js';
import type { Reducer } from './reducer.js';

export interface AccountView {
  name: string;
  /** Jobs counting toward the cap (success + claimed + unconfirmed), as far as the events tell. */
  counted: number;
  inFlight: boolean;
  failures: number;
  lastError: string;
  lastErrorAt: number;
  /** The last failure was of the `account` category (suspended, logged out, ...). */
  accountError: boolean;
}

export interface Accounts {
  cap: number;
  /**
   * Every account seen: its jobs counting toward the cap, times two, plus one while it has a job in
   * flight. A number, not an object: a day can have 100,000 accounts and each claim touches one.
   */
  readonly state: Map<string, number>;
  /** Accounts at the cap, and with a job in flight. */
  atCap: number;
  inFlight: number;
}

export function newAccounts(): Accounts {
  return { cap: 1, state: new Map(), atCap: 0, inFlight: 0 };
}

type AccountEvent = 'run-started' | 'job-claimed' | 'job-done' | 'job-failed' | 'job-retrying' | 'job-unconfirmed';

export const accountsReducer: Reducer<Accounts, AccountEvent> = {
  'run-started': (a, e) => {
    a.cap = e.cap;
  },
  'job-claimed': (a, e) => {
    const name = e.job.account;
    const state = a.state.get(name) ?? 0;
    let counted = state >> 1;
    if (!CAPPED_STATUSES.has(e.from)) {
      counted += 1;
      if (counted === a.cap) a.atCap += 1;
    }
    if ((state & 1) === 0) a.inFlight += 1;
    a.state.set(name, (counted << 1) | 1);
  },
  'job-done': (a, e) => endClaim(a, e.job.account, 'success'),
  'job-failed': (a, e) => endClaim(a, e.job.account, 'failed'),
  'job-retrying': (a, e) => endClaim(a, e.job.account, 'retrying'),
  'job-unconfirmed': (a, e) => endClaim(a, e.job.account, 'unconfirmed'),
};

/** The account's claim ended with its job now `to`: no longer in flight, and no longer counted unless `to` counts. */
function endClaim(a: Accounts, name: string, to: Status): void {
  const state = a.state.get(name) ?? 0;
  let counted = state >> 1;
  if (!CAPPED_STATUSES.has(to) && counted > 0) {
    if (counted === a.cap) a.atCap -= 1;
    counted -= 1;
  }
  if ((state & 1) === 1) a.inFlight -= 1;
  a.state.set(name, counted << 1);
}

/** One account as the `a` view shows it, or undefined if never seen. */
export function accountView(a: Accounts, trouble: ReadonlyMap<string, AccountTrouble>, name: string): AccountView | undefined {
  const state = a.state.get(name);
  const troubled = trouble.get(name);
  if (state === undefined && !troubled) return undefined;
  return viewOf(name, state ?? 0, troubled);
}

/**
 * Accounts for the `a` view: account errors first, then those in flight, then the most recently
 * failed, then by name; the first `limit` of them. Only accounts with something to say are
 * sorted in full (a day can have 100,000 accounts).
 */
export function accountRows(a: Accounts, trouble: ReadonlyMap<string, AccountTrouble>, limit = Number.POSITIVE_INFINITY): AccountView[] {
  const notable: AccountView[] = [];
  const quiet: string[] = [];
  for (const [name, state] of a.state) {
    const troubled = trouble.get(name);
    if (troubled || (state & 1) === 1) notable.push(viewOf(name, state, troubled));
    else quiet.push(name);
  }
  for (const [name, troubled] of trouble) {
    if (!a.state.has(name)) notable.push(viewOf(name, 0, troubled));
  }
  notable.sort((x, y) =>
    Number(y.accountError) - Number(x.accountError) ||
    Number(y.inFlight) - Number(x.inFlight) ||
    y.lastErrorAt - x.lastErrorAt ||
    byName(x.name, y.name));
  if (notable.length >= limit) return notable.slice(0, limit);
  quiet.sort(byName);
  for (const name of quiet) {
    if (notable.length >= limit) break;
    notable.push(viewOf(name, a.state.get(name)!, undefined));
  }
  return notable;
}

function viewOf(name: string, state: number, trouble: AccountTrouble | undefined): AccountView {
  return {
    name,
    counted: state >> 1,
    inFlight: (state & 1) === 1,
    failures: trouble?.failures ?? 0,
    lastError: trouble?.lastError ?? '',
    lastErrorAt: trouble?.lastErrorAt ?? 0,
    accountError: trouble?.accountError ?? false,
  };
}

import { describe, expect, it } from 'vitest';
import { accountRows, accountsReducer as on, accountView, newAccounts } from '../../../src/tui/model/accounts.js';
import type { AccountTrouble } from '../../../src/tui/model/failures.js';
import { claimed, failed, job, posted, retrying, started, unconfirmed } from './events.js';

describe('accounts: the cap and jobs in flight', () => {
  it('counts a claim toward the cap unless its job already counted, and releases it when the job no longer counts', () => {
    const a = newAccounts();
    on['run-started'](a, started({ cap: 2 }));
    const [j1, j2] = [job('j1', 'x'), job('j2', 'x')];
    on['job-claimed'](a, claimed(j1));
    expect(accountView(a, new Map(), 'x')).toMatchObject({ counted: 1, inFlight: true });
    expect([a.atCap, a.inFlight]).toEqual([0, 1]);
    on['job-done'](a, posted(j1));
    on['job-claimed'](a, claimed(j2));
    expect([a.atCap, a.inFlight]).toEqual([1, 1]);
    // A retry gives its place back; an unconfirmed job keeps it.
    on['job-retrying'](a, retrying(j2));
    expect([a.atCap, a.inFlight, accountView(a, new Map(), 'x')?.counted]).toEqual([0, 0, 1]);
    on['job-claimed'](a, claimed(j2, 0, 'retrying'));
    on['job-unconfirmed'](a, unconfirmed(j2));
    expect([a.atCap, a.inFlight, accountView(a, new Map(), 'x')?.counted]).toEqual([1, 0, 2]);
    // Verified as not posted and tried again: claimed from unconfirmed, it already counts.
    on['job-claimed'](a, claimed(j2, 0, 'unconfirmed'));
    expect(accountView(a, new Map(), 'x')?.counted).toBe(2);
    on['job-failed'](a, failed(j2));
    expect([a.atCap, a.inFlight, accountView(a, new Map(), 'x')?.counted]).toEqual([0, 0, 1]);
    expect(accountView(a, new Map(), 'never-seen')).toBeUndefined();
  });

  it('lists account errors first, then accounts in flight, then the most recently failed, then the rest by name', () => {
    const a = newAccounts();
    on['run-started'](a, started());
    for (const name of ['d', 'c', 'b', 'a']) {
      on['job-claimed'](a, claimed(job(`${name}1`, name)));
      on['job-done'](a, posted(job(`${name}1`, name)));
    }
    on['job-claimed'](a, claimed(job('c2', 'c')));
    const trouble = new Map<string, AccountTrouble>([
      ['b', { failures: 1, lastError: 'infrastructure/adb_timeout: adb timeout', lastErrorAt: 5, accountError: false }],
      ['d', { failures: 2, lastError: 'account/suspended: suspended', lastErrorAt: 1, accountError: true }],
      ['gone', { failures: 1, lastError: 'x', lastErrorAt: 9, accountError: false }],
    ]);
    expect(accountRows(a, trouble).map((r) => r.name)).toEqual(['d', 'c', 'gone', 'b', 'a']);
    expect(accountRows(a, trouble, 2).map((r) => r.name)).toEqual(['d', 'c']);
    expect(accountView(a, trouble, 'gone')).toMatchObject({ counted: 0, inFlight: false, failures: 1 });
  });
});

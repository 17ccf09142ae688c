import { describe, expect, it } from 'vitest';
import { accountHealthReducer as on, coolingAt, coolingCount, frozenRows, newAccountHealth } from '../../../src/tui/model/account-health.js';
import { started, T0 } from './events.js';

describe('account health: frozen and cooling accounts', () => {
  it('starts from what the ledger says at run-started, and follows the freezes and cooldowns after it', () => {
    const h = newAccountHealth();
    on['account-frozen'](h, { account: 'old', jobId: 'o1', reason: 'from an earlier run', at: T0 });
    on['run-started'](h, started({
      frozen: [{ account: 'zed', jobId: 'z1', reason: 'account/suspended: x (job z1)', since: '2025-12-14T20:00:00Z' }],
      cooling: [{ account: 'slow', until: T0 + 60_000, jobId: 's1', reason: 'action_blocked: y (job s1)' }],
    }));
    on['account-frozen'](h, { account: 'amy', jobId: 'a1', reason: 'account/logged_out: z', at: T0 });
    expect(frozenRows(h)).toEqual([{ account: 'amy', reason: 'account/logged_out: z' }, { account: 'zed', reason: 'account/suspended: x (job z1)' }]);
    on['account-unfrozen'](h, { account: 'zed', jobs: 1, at: T0 });
    expect([...h.frozen.keys()]).toEqual(['amy']);

    on['account-cooling'](h, { account: 'fast', jobId: 'f1', until: T0 + 30_000, reason: 'rate limited', at: T0 });
    expect(coolingAt(h, T0).map((c) => c.account)).toEqual(['fast', 'slow']);
    expect(coolingCount(h, T0 + 30_000)).toBe(1);
    // Passed cooldowns are dropped when the list is asked for.
    expect(coolingAt(h, T0 + 30_000)).toEqual([{ account: 'slow', until: T0 + 60_000, reason: 'action_blocked: y (job s1)' }]);
    expect([...h.cooling.keys()]).toEqual(['slow']);
  });
});

/**
 * The rules under random operation sequences, through the Store interface, against the file store
 * and the PostgreSQL store alike: the same sequences, the same invariants after every step (G1, G2,
 * counts), and a claim that finds nothing only when nothing is claimable.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { ledgerAt } from '../../src/store/open.js';
import type { DayRules } from '../../src/store/store.js';
import { dayOp, type OpSpace } from '../helpers/day-ops.js';
import { tempDir } from '../helpers/files.js';
import { openRunStore, pgLedgerUrl, testRules, testSchema } from '../helpers/pg.js';
import { checkStoreGuarantees, StoreRun, type OpenRun } from '../helpers/store-ops.js';

const T0 = Date.parse('2026-11-29T20:00:00Z');

const SPACE: OpSpace = {
  accounts: ['a', 'b', 'c', '"d, e"', ''],
  messages: ['adb timeout', 'Your account has been suspended', 'video corrupted', 'weird', 'socket hang up', 'rate limited, slow down'],
  workers: 4,
  weights: { seed: 2, claim: 4, succeed: 2, fail: 2, release: 1, unconfirm: 1, releaseStale: 1, retryFailed: 1, settle: 1, skip: 1, unfreeze: 1, restart: 1, tick: 1 },
  retryAfter: true,
};

let ledgers = 0;
const schema = testSchema();

const STORES: Record<string, (rules: DayRules) => OpenRun> = {
  file: (rules) => {
    const ledger = `${tempDir()}/progress.csv`;
    return (runId) => ledgerAt(ledger).open({ durability: 'journal', runId, command: 'test', rules });
  },
  postgres: (rules) => {
    const url = pgLedgerUrl(`property-${ledgers++}`, schema);
    return (runId) => openRunStore(url, runId, { rules });
  },
};

describe.each(Object.keys(STORES))('the rules through the %s store', (kind) => {
  it('never break G1 or G2, keep the counts true, and leave nothing claimable unclaimed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(dayOp(SPACE), { minLength: 5, maxLength: 60, size: 'medium' }), async (cap, ops) => {
        const rules = testRules(cap);
        const run = await StoreRun.start(SPACE, rules, STORES[kind]!(rules), T0);
        try {
          for (const step of ops) {
            await run.apply(step);
            await checkStoreGuarantees(run.store, rules, run.now);
          }
        } finally {
          await run.close();
        }
      }),
      { numRuns: 30 },
    );
  });
});

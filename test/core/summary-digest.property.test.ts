import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COOLDOWN_COLUMN, DEFAULT_HEALTH } from '../../src/core/policy.js';
import { digestRows, summarize, summarizeDigest, type DayDigest } from '../../src/core/summary.js';
import { jobsArbitrary } from '../helpers/jobs.js';

const accounts = fc.constantFrom('', 'a', 'b', '__proto__', 'constructor');
const categories = fc.constantFrom('', 'account', 'content', 'infrastructure');
const types = fc.constantFrom('', 'suspended', 'action_blocked', 'rate_limited', 'unknown');
const cooldown = fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 4102444800000 }).map((ms) => new Date(ms).toISOString()));

// Few accounts, categories and types, so freezes, cooldowns and caps meet on the same accounts.
const days = jobsArbitrary([COOLDOWN_COLUMN], 30).chain((jobs) => fc.tuple(...jobs.map(() => fc.tuple(accounts, categories, types, cooldown))).map((picks) =>
  jobs.map((job, i) => {
    const [account, category, type, until] = picks[i]!;
    return { ...job, account, error_category: category, error_type: type, extra: { [COOLDOWN_COLUMN]: until } };
  })));

describe('the day digest', () => {
  it('summarizes a day as its rows do, once kept as JSON and read back, for any cap, clock and archives', () => {
    fc.assert(fc.property(days, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 4102444800000 }), fc.array(fc.tuple(accounts, fc.integer({ min: 1, max: 3 })), { maxLength: 3 }), (jobs, cap, now, archived) => {
      const today = new Map(archived);
      const kept = JSON.parse(JSON.stringify(digestRows(jobs))) as DayDigest;
      expect(summarizeDigest(kept, cap, now, DEFAULT_HEALTH, today)).toEqual(summarize(jobs, cap, now, DEFAULT_HEALTH, today));
    }));
  });
});

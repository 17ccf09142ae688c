/**
 * The fast part of the crash torture (test/faults/crash.ts): a few SIGKILLs of `daycap run` on small
 * days, cap 1 and 2, with and without verify. The full suite (over 100 kills) is
 * test/slow/faults/crash.test.ts, run by `npm run test:faults`.
 */
import { describe, expect, it } from 'vitest';
import { torture, type Scenario } from './crash.js';

const seed = Number(process.env['DAYCAP_FAULT_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

const scenarios: Scenario[] = [
  { name: 'cap 1, verify', accounts: 40, perAccount: 2, cap: 1, workers: 8, verify: true, kills: 4, delayMaxMs: 10, failPattern: '^job-\\d*3-', validateEveryKill: true },
  { name: 'cap 2, operator settles', accounts: 30, perAccount: 3, cap: 2, workers: 8, verify: false, kills: 3, delayMaxMs: 10, validateEveryKill: true },
];

describe('crash torture, fast part', () => {
  it(`survives SIGKILL at random moments (seed ${seed}; replay with DAYCAP_FAULT_SEED=${seed})`, async () => {
    const report = await torture(scenarios, seed, process.env['DAYCAP_FAULT_TRACE'] ? (line) => console.log(line) : undefined);
    expect(report.kills).toBe(7);
  });
});

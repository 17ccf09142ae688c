/**
 * The full crash torture (see test/faults/crash.ts): 135 SIGKILLs of `daycap run` on days of a
 * few hundred jobs, cap 1 and 2, 8 workers, with and without verify, plus a day of 1,500 small jobs
 * whose runs write several snapshots each. Run with `npm run test:faults`; replay a failure with the
 * seed it prints: DAYCAP_FAULT_SEED=<seed> npm run test:faults.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { torture, type Scenario, type TortureReport } from '../../faults/crash.js';

const seed = Number(process.env['DAYCAP_FAULT_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

const scenarios: Scenario[] = [
  { name: 'cap 1, 3 jobs per account, verify', accounts: 120, perAccount: 3, cap: 1, workers: 8, verify: true, kills: 35, delayMaxMs: 8, verifyDelayMs: 3, failPattern: '^job-\\d*7-' },
  { name: 'cap 2, 3 jobs per account, verify', accounts: 100, perAccount: 3, cap: 2, workers: 8, verify: true, kills: 35, delayMaxMs: 8, failPattern: '^job-\\d*3-0$' },
  { name: 'cap 1, 3 jobs per account, operator settles', accounts: 100, perAccount: 3, cap: 1, workers: 8, verify: false, kills: 25, delayMaxMs: 8 },
  { name: 'cap 2, 2 jobs per account, operator settles', accounts: 100, perAccount: 2, cap: 2, workers: 8, verify: false, kills: 20, delayMaxMs: 8, failPattern: '^job-\\d*5-1$' },
  { name: '1,500 small jobs, kills around snapshots, verify', accounts: 1500, perAccount: 1, cap: 1, workers: 8, verify: true, kills: 20, delayMaxMs: 0, snapshotHeavy: true },
];

const reports: Array<{ name: string; report: TortureReport }> = [];

describe(`crash torture, full (seed ${seed}; replay with DAYCAP_FAULT_SEED=${seed})`, () => {
  scenarios.forEach((scenario, index) => {
    it(scenario.name, async () => {
      const report = await torture([scenario], seed + index, (line) => console.log(line));
      reports.push({ name: scenario.name, report });
      expect(report.kills).toBe(scenario.kills);
    });
  });

  afterAll(() => {
    const kills = reports.reduce((sum, { report }) => sum + report.kills, 0);
    const ms = reports.reduce((sum, { report }) => sum + report.ms, 0);
    const lines = [`crash torture: ${kills} kills survived in ${(ms / 1000).toFixed(0)} s (seed ${seed})`];
    for (const { name, report } of reports) {
      lines.push(`  ${name}: ${report.kills} kills, ${report.runs} runs, ${report.days} days, ${(report.ms / 1000).toFixed(0)} s, ` +
        `temp files left by ${report.tempFilesLeft} kills, torn journal tails ${report.tornTails}`);
      lines.push(`    moments: ${Object.entries(report.byTrigger).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      lines.push(`    phases: ${Object.entries(report.byPhase).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    }
    console.log(lines.join('\n'));
  });
});

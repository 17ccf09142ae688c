/**
 * The full fault suites of a day shared on PostgreSQL (test/faults/pg-kills.ts, pg-outages.ts):
 * 60 SIGKILLs of runner processes, three at a time, each started again, over one long day; hosts
 * stopped (SIGSTOP) past their lease at several moments of their claiming; PostgreSQL restarted
 * within the runs' retry window, and stopped for longer. Run with `npm run test:faults`; replay a
 * failure with the seed it prints: DAYCAP_FAULT_SEED=<seed>.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killTorture } from '../../faults/pg-kills.js';
import { databaseOutage, stopPastLease } from '../../faults/pg-outages.js';
import type { SharedScenario } from '../../faults/shared-day.js';
import { startPostgres, type PostgresServer } from '../../helpers/pg-server.js';

const seed = Number(process.env['DAYCAP_FAULT_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const log = (line: string) => console.log(line);

const threeHosts: SharedScenario = {
  name: 'three hosts', accounts: 800, perAccount: 2, cap: 2, runners: 3, workers: 4, delayMaxMs: 400,
  failPattern: '^job-\\d*7-1$', leaseMs: 1000, dbRetryMs: 20_000,
};
const smallDay: SharedScenario = { ...threeHosts, accounts: 150, delayMaxMs: 60 };

describe(`a day shared on PostgreSQL, under faults, full (seed ${seed}; replay with DAYCAP_FAULT_SEED=${seed})`, () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('survives 60 runs killed with SIGKILL at random moments', async () => {
    const report = await killTorture(threeHosts, 60, seed, log);
    log(`kill -9 torture: ${report.kills} kills survived over ${report.days} day(s) (${report.perDay.join(' + ')}) in ${(report.ms / 1000).toFixed(0)} s (seed ${seed})\n` +
      `  moments: ${Object.entries(report.byTrigger).map(([k, v]) => `${k} ${v}`).join(', ')}\n` +
      `  phases: ${Object.entries(report.byPhase).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    expect(report.kills).toBe(60);
  });

  it('hosts stopped past their lease write nothing more, name what they could not record and exit 5; the others settle their claims', async () => {
    for (let i = 0; i < 4; i++) {
      const report = await stopPastLease({ ...smallDay, name: `a host stopped (${i + 1})` }, seed + 10 + i, `stopped-${i}`);
      log(`SIGSTOP ${i + 1}: ${report.trigger}; it held ${report.held} jobs and exited ${report.stalledCode}`);
      expect(report.stalledCode).toBe(5);
    }
  });

  it('carries on through restarts of PostgreSQL within the retry window', async () => {
    for (let i = 0; i < 3; i++) {
      const report = await databaseOutage(server, { ...smallDay, name: `PostgreSQL restarted (${i + 1})`, leaseMs: 10_000 }, 'restart', seed + 20 + i, `restarted-${i}`);
      log(`restart ${i + 1}: ${report.liveAtFault} runs going, ${report.carriedOn} carried on`);
      expect(report.carriedOn).toBe(3);
    }
  });

  it('stops every run with exit 5 when PostgreSQL is gone past the retry window; new runs finish the day', async () => {
    for (let i = 0; i < 2; i++) {
      const report = await databaseOutage(server, { ...smallDay, name: `PostgreSQL stopped (${i + 1})`, leaseMs: 3_000, dbRetryMs: 1_500 }, 'outage', seed + 30 + i, `outage-${i}`);
      log(`outage ${i + 1}: ${report.liveAtFault} runs going, ${report.stopped} stopped with exit 5`);
      expect(report.stopped).toBe(report.liveAtFault);
    }
  });
});

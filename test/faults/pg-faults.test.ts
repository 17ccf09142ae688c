/**
 * The fast part of the fault suites of a day shared on PostgreSQL: a few SIGKILLs of runner
 * processes (test/faults/pg-kills.ts), a host stopped past its lease and PostgreSQL restarted
 * mid-run (test/faults/pg-outages.ts). The full suites are test/slow/faults/pg-faults.test.ts, run by
 * `npm run test:faults`; replay a failure with DAYCAP_FAULT_SEED=<seed>.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../helpers/pg-server.js';
import { killTorture } from './pg-kills.js';
import { databaseOutage, stopPastLease } from './pg-outages.js';
import type { SharedScenario } from './shared-day.js';

const seed = Number(process.env['DAYCAP_FAULT_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const trace = process.env['DAYCAP_FAULT_TRACE'] ? (line: string) => console.log(line) : undefined;

// Many processes on 2 cores beside the rest of the suite: a generous bound (a hang is reported with its output).
const LONG = 240_000;

const twoHosts: SharedScenario = {
  name: 'two hosts', accounts: 40, perAccount: 2, cap: 2, runners: 2, workers: 3, delayMaxMs: 60,
  failPattern: '^job-\\d*3-1$', leaseMs: 1000, dbRetryMs: 20_000,
};

describe(`a day shared on PostgreSQL, under faults (seed ${seed}; replay with DAYCAP_FAULT_SEED=${seed})`, () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('survives runs killed with SIGKILL at random moments', async () => {
    const report = await killTorture(twoHosts, 4, seed, trace);
    expect(report.kills).toBe(4);
  }, LONG);

  it('a host stopped past its lease writes nothing more, names what it could not record and exits 5; the others settle its claims', async () => {
    const report = await stopPastLease({ ...twoHosts, name: 'a host stopped', runners: 2 }, seed + 1);
    expect(report.stalledCode).toBe(5);
    expect(report.held).toBeGreaterThan(0);
  }, LONG);

  it('carries on through a restart of PostgreSQL within the retry window', async () => {
    const report = await databaseOutage(server, { ...twoHosts, name: 'PostgreSQL restarted', leaseMs: 10_000 }, 'restart', seed + 2, 'restarted');
    expect(report).toMatchObject({ liveAtFault: 2, carriedOn: 2 });
  }, LONG);
});

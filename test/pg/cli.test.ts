/**
 * Every command on a database ledger, as an operator types them, with the built binary against the
 * suite's PostgreSQL. The URL's password is never printed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/runner/exit-codes.js';
import { daycap, hasStack, SLOW_HANDLER, start } from '../helpers/cli.js';
import { fixture, tempDir } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { writeLedger } from '../helpers/ledgers.js';
import { pgLedgerUrl, serverPassword } from '../helpers/pg.js';

/** A folder with a file ledger of `accounts` × `perAccount` jobs (videos made real) and the URL of an empty database ledger. */
function day(name: string, accounts: number, perAccount: number): { dir: string; file: string; url: string } {
  const dir = tempDir();
  return { dir, file: writeLedger(dir, gridJobs(accounts, perAccount, {}, { videosIn: dir })), url: pgLedgerUrl(name) };
}

function expectNoPassword(...texts: string[]): void {
  for (const text of texts) expect(text).not.toContain(serverPassword());
}

describe('daycap on a database ledger', () => {
  it('seeds, runs, shows and exports a day, never printing the password', async () => {
    const dir = tempDir();
    const url = pgLedgerUrl('spring');
    const env = { DAYCAP_LEDGER: url };
    const seed = await daycap(['seed', '--campaign', fixture('campaigns/spring'), '--cap', '2'], { cwd: dir, env });
    expect(seed.code).toBe(0);
    expect(seed.stdout).toMatch(/added 4 jobs to postgres:\/\/postgres:\*\*\*@/);
    const run = await daycap(['run', '--handler', 'simulate', '--workers', '2', '--no-tui'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(EXIT.OK);
    expect(run.stdout).toMatch(/ended \(done\).*4 success/);
    const status = await daycap(['status', '--ledger', url, '--json'], { cwd: dir });
    expect(JSON.parse(status.stdout)).toMatchObject({ source: 'database', counts: { success: 4 }, runners: [] });
    const out = join(dir, 'spring.csv');
    const exported = await daycap(['export', '--ledger', url, '--out', out], { cwd: dir });
    expect(exported.stdout).toMatch(/wrote 4 jobs/);
    expect((await daycap(['validate', '--ledger', out], { cwd: dir })).code).toBe(0);
    expect(readFileSync(out, 'utf8').match(/,success,/g)).toHaveLength(4);
    expectNoPassword(seed.stdout, seed.stderr, run.stdout, run.stderr, status.stdout, exported.stdout);
  });

  it('imports a file ledger once, refusing a second import into the now full ledger', async () => {
    const { dir, file, url } = day('imported', 3, 1);
    const first = await daycap(['import', '--ledger', url, '--from', file], { cwd: dir });
    expect(first.stdout).toMatch(/imported 3 jobs/);
    const second = await daycap(['import', '--ledger', url, '--from', file], { cwd: dir });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/already holds rows/);
    expect(hasStack(second.stderr)).toBe(false);
    const migrate = await daycap(['db', 'migrate', '--ledger', url], { cwd: dir });
    expect(migrate.stdout).toMatch(/schema is at version \d+, nothing to do/);
    expectNoPassword(first.stdout, second.stderr, migrate.stdout);
  });

  it('says plainly when the database cannot be reached or the ledger does not exist', async () => {
    const dir = tempDir();
    const missing = await daycap(['status', '--ledger', pgLedgerUrl('never-made')], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no ledger named "never-made"/);
    const url = new URL(pgLedgerUrl('x'));
    url.password = 'wrong-password';
    const refused = await daycap(['status', '--ledger', url.toString()], { cwd: dir });
    expect(refused.code).toBe(EXIT.STORAGE);
    expect(refused.stderr).toMatch(/cannot use the database ledger postgres:\/\/postgres:\*\*\*@/);
    expect(refused.stderr).not.toContain('wrong-password');
    expect(hasStack(refused.stderr)).toBe(false);
  });

  it('pause, resume and stop reach every run on the ledger; reset-day waits for them to end', async () => {
    const { dir, file, url } = day('steered', 8, 1);
    await daycap(['import', '--ledger', url, '--from', file], { cwd: dir });
    const env = { DAYCAP_TEST_SLEEP_MS: '600000' };
    const runs = [1, 2].map(() => start(['run', '--ledger', url, '--handler', SLOW_HANDLER, '--workers', '1', '--grace', '200ms', '--no-tui'], { cwd: dir, env }));
    await Promise.all(runs.map((run) => run.waitFor(/claimed job/)));

    const status = JSON.parse((await daycap(['status', '--ledger', url, '--json'], { cwd: dir })).stdout) as { runners: Array<{ inFlight: number }>; counts: { claimed: number } };
    expect(status.runners.map((r) => r.inFlight)).toEqual([1, 1]);
    expect(status.counts.claimed).toBe(2);

    const pause = await daycap(['pause', '--ledger', url], { cwd: dir });
    expect(pause.stdout).toMatch(/^2 runs: .*claiming paused/);
    await Promise.all(runs.map((run) => run.waitFor(/claiming paused/)));
    expect((await daycap(['resume', '--ledger', url], { cwd: dir })).stdout).toMatch(/claiming resumed/);
    await Promise.all(runs.map((run) => run.waitFor(/claiming resumed/)));

    const reset = await daycap(['reset-day', '--ledger', url], { cwd: dir });
    expect(reset.code).toBe(EXIT.LOCKED);
    expect(reset.stderr).toMatch(/in use by run \w+ on .* \(pid \d+\), run \w+ on/);

    expect((await daycap(['stop', '--ledger', url], { cwd: dir })).code).toBe(0);
    const ended = await Promise.all(runs.map((run) => run.done));
    expect(ended.map((r) => r.code)).toEqual([EXIT.INTERRUPTED, EXIT.INTERRUPTED]);
    // Their jobs were aborted after the grace period: their fate is unknown, so they stay counted.
    const after = JSON.parse((await daycap(['status', '--ledger', url, '--json'], { cwd: dir })).stdout) as { runners: unknown[]; counts: Record<string, number> };
    expect(after.runners).toEqual([]);
    expect(after.counts).toMatchObject({ unconfirmed: 2, claimed: 0 });

    const released = await daycap(['release-stale', '--ledger', url], { cwd: dir });
    expect(released.stdout).toMatch(/2 jobs released to pending/);
    const archived = await daycap(['reset-day', '--ledger', url], { cwd: dir });
    expect(archived.stdout).toMatch(/Archived the day's ledger to steered_\d{8} \(inside postgres/);
    expect(JSON.parse((await daycap(['status', '--ledger', url, '--json'], { cwd: dir })).stdout)).toMatchObject({ jobs: 0 });
  });
});

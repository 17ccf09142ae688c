/**
 * The daily cap recorded on a database ledger: one `cap` for every host that shares it, recorded by
 * a seed, run or import given one, used by every command given none. Through the built binary.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daycap } from '../helpers/cli.js';
import { fixture, tempDir } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { writeLedger } from '../helpers/ledgers.js';
import { pgLedgerUrl, sqlClient, statusesIn } from '../helpers/pg.js';
import { ledgerAt } from '../../src/store/open.js';

/** The cap column of ledger `name` in the schema of `url`, as the database holds it. */
async function capColumn(url: string): Promise<number | null | undefined> {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema')!;
  const client = await sqlClient();
  try {
    const found = await client.query<{ cap: number | null }>(`SELECT cap FROM "${schema}".ledgers WHERE name = $1`, [decodeURIComponent(parsed.hash.slice(1))]);
    return found.rows[0]?.cap;
  } finally {
    await client.end();
  }
}

describe('the cap recorded on a database ledger', () => {
  it('seed --cap 2 records it; two runs without --cap (as two hosts would) both use it; status, validate and check raise no false alarm', async () => {
    const dir = tempDir();
    const url = pgLedgerUrl('spring');
    const accounts = join(dir, 'accounts.txt');
    writeFileSync(accounts, 'bloomdaily\ngreenthumb_tv\n');
    const seed = await daycap(['seed', '--ledger', url, '--campaign', fixture('campaigns/spring'), '--accounts', accounts, '--cap', '2'], { cwd: dir });
    expect(seed.code, seed.stderr).toBe(0);
    expect(seed.stdout).toContain('added 4 jobs');
    expect(await capColumn(url)).toBe(2);

    // Two runs at once, as two hosts sharing the day: neither is given a cap.
    const runs = await Promise.all([1, 2].map(() => daycap(['run', '--ledger', url, '--handler', 'simulate', '--workers', '1', '--no-tui'], { cwd: dir })));
    for (const result of runs) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('cap 2/account/day');
      expect(result.stdout).not.toMatch(/Skipping job|cap was/);
    }
    expect(Object.values(await statusesIn(url))).toEqual(['success', 'success', 'success', 'success']);

    const status = await daycap(['status', '--ledger', url, '--json'], { cwd: dir });
    expect(JSON.parse(status.stdout)).toMatchObject({ source: 'database', cap: 2, capExceeded: [] });
    for (const command of ['status', 'validate', 'check']) {
      const result = await daycap([command, '--ledger', url], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout + result.stderr).not.toContain('cap exceeded');
    }
    expect(await capColumn(url)).toBe(2);

    // reset-day archives the day's rows; the farm's cap stays.
    expect((await daycap(['reset-day', '--ledger', url], { cwd: dir })).code).toBe(0);
    expect(await capColumn(url)).toBe(2);
  });

  it('a later explicit cap wins and is recorded for every host; a damaged value is ignored with a warning', async () => {
    const dir = tempDir();
    const url = pgLedgerUrl('later');
    const file = writeLedger(dir, gridJobs(2, 3, {}, { videosIn: dir }));
    const imported = await daycap(['import', '--ledger', url, '--from', file, '--cap', '2'], { cwd: dir });
    expect(imported.code, imported.stderr).toBe(0);
    expect(await capColumn(url)).toBe(2);

    const run = await daycap(['run', '--ledger', url, '--handler', 'simulate', '--no-tui', '--cap', '3'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("warning: the ledger's cap was 2; this run uses 3 (and records it)");
    expect(await capColumn(url)).toBe(3);
    expect(await ledgerAt(url).recordedCap()).toBe(3);

    const client = await sqlClient();
    try {
      await client.query(`UPDATE "${new URL(url).searchParams.get('schema')!}".ledgers SET cap = 0`);
    } finally {
      await client.end();
    }
    const status = await daycap(['status', '--ledger', url], { cwd: dir });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toContain("warning: the ledger's recorded cap (0) was ignored");
    expect(status.stdout).toContain('cap 1/account/day');
  });

  it('an import without a cap records none', async () => {
    const dir = tempDir();
    const url = pgLedgerUrl('plain');
    const file = writeLedger(dir, gridJobs(1, 1, {}, { videosIn: dir }));
    expect((await daycap(['import', '--ledger', url, '--from', file], { cwd: dir })).code).toBe(0);
    expect(await capColumn(url)).toBeNull();
    expect(await ledgerAt(url).recordedCap()).toBeUndefined();
  });
});

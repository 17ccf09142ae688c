import { appendFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { digestPath } from '../../src/ledger/paths.js';
import { daycap } from '../helpers/cli.js';
import { bytes, copyFixture, fixture, tempDir } from '../helpers/files.js';
import { writeVideosOf } from '../helpers/ledgers.js';

describe('daycap status', () => {
  it('--json prints one JSON object with the counts', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/failures.csv', dir, 'progress.csv');
    const result = await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { jobs: number; counts: Record<string, number>; failures: Array<{ category: string; type: string; count: number }>; accountsAtCap: string[] };
    expect(report.jobs).toBe(4);
    expect(report.counts).toEqual({ pending: 0, claimed: 0, success: 1, retrying: 0, failed: 3, skipped: 0, unconfirmed: 0 });
    expect(report.failures).toEqual(expect.arrayContaining([{ category: 'account', type: 'suspended', count: 1 }, { category: 'infrastructure', type: 'adb_timeout', count: 1 }]));
    expect(report.accountsAtCap).toEqual(['acct_ok']);
  });

  it('prints counts, failures by category/type and accounts at their cap, and writes nothing', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/failures.csv', dir, 'progress.csv');
    const original = await bytes(ledger);
    const result = await daycap(['status', '--ledger', ledger], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('4 jobs over 4 accounts, cap 1/account/day');
    expect(result.stdout).toContain('success 1');
    expect(result.stdout).toContain('failed 3');
    expect(result.stdout).toContain('account/suspended  1');
    expect(result.stdout).toContain('accounts at their cap: 1 (acct_ok)');
    expect(await bytes(ledger)).toEqual(original);
  });

  it('--cap changes which accounts are at their cap', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/failures.csv', dir, 'progress.csv');
    const report = JSON.parse((await daycap(['status', '--ledger', ledger, '--json', '--cap', '2'], { cwd: dir })).stdout) as { accountsAtCap: string[]; cap: number };
    expect(report.cap).toBe(2);
    expect(report.accountsAtCap).toEqual([]);
  });
});

describe('daycap status after a run (the kept digest)', () => {
  it('says what reading every row says, and sees an outside edit made since', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/failures.csv', dir, 'progress.csv');
    const rows = (await bytes(ledger)).toString('utf8').trimEnd().split('\n');
    // One job left to post, so the run writes the CSV (and its digest) when it ends.
    writeFileSync(ledger, `${[...rows, 'new-1,acct_new,v/new-1.mp4,hello,pending,,,,,0,3,,,,,,'].join('\n')}\n`);
    writeVideosOf(ledger);
    const run = await daycap(['run', '--ledger', ledger, '--handler', fixture('handlers/ok.mjs'), '--no-tui'], { cwd: dir });
    // The fixture's failed jobs are left: "jobs left".
    expect(run.code).toBe(4);
    expect(existsSync(digestPath(ledger))).toBe(true);
    const status = async () => JSON.parse((await daycap(['status', '--ledger', ledger, '--json', '--cap', '1'], { cwd: dir })).stdout) as Record<string, unknown>;
    const fromDigest = await status();
    expect(fromDigest).toMatchObject({ jobs: 5, accountsAtCap: ['acct_new', 'acct_ok'] });
    rmSync(digestPath(ledger));
    expect(await status()).toEqual(fromDigest);

    // The digest is kept again by the next run; then the operator adds a row by hand.
    expect((await daycap(['run', '--ledger', ledger, '--handler', fixture('handlers/ok.mjs'), '--no-tui'], { cwd: dir })).code).toBe(4);
    expect(existsSync(digestPath(ledger))).toBe(true);
    appendFileSync(ledger, 'new-2,acct_two,v/new-2.mp4,hi,pending,,,,,0,3,,,,,,\n');
    expect(await status()).toMatchObject({ jobs: 6 });
  });

  it('lets validate pass an unchanged ledger without reading its rows, and still fail one broken since', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/failures.csv', dir, 'progress.csv');
    writeVideosOf(ledger);
    await daycap(['run', '--ledger', ledger, '--handler', fixture('handlers/ok.mjs'), '--no-tui'], { cwd: dir });
    expect(existsSync(digestPath(ledger))).toBe(true);
    const valid = await daycap(['validate', '--ledger', ledger], { cwd: dir });
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain('is valid (4 jobs)');
    appendFileSync(ledger, 'ok-1,acct_again,v/x.mp4,same id,pending,,,,,0,3,,,,,,\n');
    const broken = await daycap(['validate', '--ledger', ledger], { cwd: dir });
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toContain('already used');
  });
});

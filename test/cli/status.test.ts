import { describe, expect, it } from 'vitest';
import { daycap } from '../helpers/cli.js';
import { bytes, copyFixture, tempDir } from '../helpers/files.js';

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

// Seed test strategy section 5, scenarios B and C, through the real binary.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeVideosOf } from '../helpers/tmp.js';
import { bytes, copyFixture, daycap, fixture, readRows, statuses, tempDir, todayStamp } from './helpers.js';

describe('scenario B: the same account cannot get two posts in one day', () => {
  it('after a success and a --reset-day --force-reseed, account_a gets no new job and the day is archived', async () => {
    const dir = await tempDir();
    const ledger = join(dir, 'parallel_progress.csv');

    const seeded = await daycap(['seed', '--ledger', ledger, '--state', fixture('cli/states/one-job-account-a.json')], { cwd: dir });
    expect(seeded.code, seeded.stderr).toBe(0);
    expect(await readRows(ledger)).toMatchObject([{ job_id: 'morning-a-1', account: 'account_a', status: 'pending' }]);
    writeVideosOf(ledger);

    const ran = await daycap(['run', '--ledger', ledger, '--handler', 'simulate'], { cwd: dir });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(await statuses(ledger)).toEqual({ 'morning-a-1': 'success' });
    const dayOne = await bytes(ledger);

    const reseeded = await daycap(['seed', '--ledger', ledger, '--state', fixture('cli/states/new-batch-a-and-b.json'), '--reset-day', '--force-reseed'], { cwd: dir });
    expect(reseeded.code, reseeded.stderr).toBe(0);
    expect(reseeded.stdout).toContain('excluded 1 with existing jobs');

    const archive = join(dir, `parallel_progress_${todayStamp()}.csv`);
    expect(await bytes(archive)).toEqual(dayOne);
    const rows = await readRows(ledger);
    expect(rows.map((row) => row['job_id']).sort()).toEqual(['evening-1', 'evening-2']);
    expect(rows.filter((row) => row['account'] === 'account_a')).toEqual([]);
    expect(rows.filter((row) => row['account'] === 'account_b')).toHaveLength(1);
  });
});

describe('scenario C: crash recovery keeps the cap', () => {
  it('a claim from a dead run becomes unconfirmed and is not run; after release-stale it runs', async () => {
    const dir = await tempDir();
    const ledger = await copyFixture('cli/ledgers/claim-from-dead-run.csv', dir, 'parallel_progress.csv');
    writeVideosOf(ledger);
    const record = join(dir, 'posted.jsonl');
    const env = { DAYCAP_RECORD_FILE: record };
    const handler = fixture('handlers/recording.mjs');

    const first = await daycap(['run', '--ledger', ledger, '--handler', handler], { cwd: dir, env });
    expect(first.code).toBe(4); // jobs left: the unconfirmed one
    expect(first.stdout).toMatch(/recovered: 1 unconfirmed/);
    expect(await statuses(ledger)).toEqual({ 'crash-a-1': 'unconfirmed', 'calm-b-1': 'success' });
    expect(await postedIds(record)).toEqual(['calm-b-1']);

    // While unconfirmed it counts toward account_a's cap.
    const status = JSON.parse((await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir })).stdout) as { accountsAtCap: string[] };
    expect(status.accountsAtCap).toContain('account_a');

    const again = await daycap(['run', '--ledger', ledger, '--handler', handler], { cwd: dir, env });
    expect(again.code).toBe(4);
    expect(await postedIds(record)).toEqual(['calm-b-1']);

    const released = await daycap(['release-stale', '--ledger', ledger], { cwd: dir });
    expect(released.code).toBe(0);
    expect(released.stdout).toContain('1 job released to pending: crash-a-1');
    expect(await statuses(ledger)).toEqual({ 'crash-a-1': 'pending', 'calm-b-1': 'success' });

    const last = await daycap(['run', '--ledger', ledger, '--handler', handler], { cwd: dir, env });
    expect(last.code, last.stdout + last.stderr).toBe(0);
    expect(await statuses(ledger)).toEqual({ 'crash-a-1': 'success', 'calm-b-1': 'success' });
    expect(await postedIds(record)).toEqual(['calm-b-1', 'crash-a-1']);
  });
});

async function postedIds(record: string): Promise<string[]> {
  const text = await readFile(record, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { job_id: string }).job_id);
}

// Scenario B of the older system's test plan, through the real binary: one post per account per
// day, across a reset-day. Scenario C (a crashed run's claim keeps the cap) is test/runner/crash-recovery.test.ts.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daycap } from '../helpers/cli.js';
import { bytes, fixture, tempDir } from '../helpers/files.js';
import { readRows, statuses, todayStamp, writeVideosOf } from '../helpers/ledgers.js';

describe('scenario B: the same account cannot get two posts in one day', () => {
  it('after a success and a --reset-day --force-reseed, account_a gets no new job and the day is archived', async () => {
    const dir = tempDir();
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

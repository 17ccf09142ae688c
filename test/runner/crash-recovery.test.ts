/**
 * G5 with real processes: a run killed with SIGKILL mid-job, then a new run. The killed job may
 * have posted, so without verify it is never run again (until release-stale); with verify it is
 * settled by the verdict.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLedgerView } from '../../src/ledger/store.js';
import { EXIT } from '../../src/runner/exit-codes.js';
import { daycap, start } from '../cli/helpers.js';
import { fixture, gridJobs, readRecord, tempDir, writeLedger } from '../helpers/tmp.js';

async function killMidJob(dir: string, ledger: string): Promise<string> {
  const run = start(['run', '--ledger', ledger, '--handler', fixture('handlers/hangs.mjs'), '--workers', '1', '--no-tui'], { cwd: dir });
  const out = await run.waitFor(/claimed job (\S+)/);
  run.child.kill('SIGKILL');
  await run.done;
  return /claimed job (\S+)/.exec(out)![1]!;
}

describe('a run killed mid-job, then a new run (G5)', () => {
  it('never runs the killed job again without verify, until release-stale', async () => {
    const dir = tempDir();
    const ledger = writeLedger(dir, gridJobs(3, 1, {}, { videosIn: dir }));
    const killed = await killMidJob(dir, ledger);

    const record = join(dir, 'record.jsonl');
    const env = { DAYCAP_RECORD_FILE: record };
    const second = await daycap(['run', '--ledger', ledger, '--handler', fixture('handlers/recording.mjs'), '--no-tui'], { cwd: dir, env });
    expect(second.code).toBe(EXIT.JOBS_LEFT);
    expect(second.stdout).toMatch(/recovered: 1 unconfirmed/);
    expect(readRecord(record).map((r) => r.job_id)).not.toContain(killed);
    const rows = (await readLedgerView(ledger)).jobs;
    expect(rows.find((r) => r.job_id === killed)?.status).toBe('unconfirmed');
    expect(rows.filter((r) => r.status === 'success')).toHaveLength(2);

    // A third run still leaves it alone; the operator's release-stale frees it.
    await daycap(['run', '--ledger', ledger, '--handler', fixture('handlers/recording.mjs'), '--no-tui'], { cwd: dir, env });
    expect(readRecord(record).map((r) => r.job_id)).not.toContain(killed);
    const release = await daycap(['release-stale', '--ledger', ledger], { cwd: dir });
    expect(release.code).toBe(0);
    const last = await daycap(['run', '--ledger', ledger, '--handler', fixture('handlers/recording.mjs'), '--no-tui'], { cwd: dir, env });
    expect(last.code).toBe(EXIT.OK);
    expect(readRecord(record).filter((r) => r.job_id === killed)).toHaveLength(1);
  });

  it('settles the killed job by verify: posted becomes success and is not run again', async () => {
    const dir = tempDir();
    const ledger = writeLedger(dir, gridJobs(2, 1, {}, { videosIn: dir }));
    const killed = await killMidJob(dir, ledger);
    const answers = join(dir, 'answers.json');
    writeFileSync(answers, JSON.stringify({ [killed]: 'posted' }));
    const second = await daycap(['run', '--ledger', ledger, '--handler', fixture('handlers/verify.mjs'), '--no-tui'], { cwd: dir, env: { DAYCAP_TEST_VERIFY_FILE: answers } });
    expect(second.code).toBe(EXIT.OK);
    expect(second.stdout).toMatch(/verify: 1 posted/);
    const row = (await readLedgerView(ledger)).jobs.find((r) => r.job_id === killed);
    expect(row).toMatchObject({ status: 'success' });
    expect(row?.video_id).toBe('');
  });

  it('settles the killed job by verify: not-posted goes back to pending and runs', async () => {
    const dir = tempDir();
    const ledger = writeLedger(dir, gridJobs(2, 1, {}, { videosIn: dir }));
    const killed = await killMidJob(dir, ledger);
    const answers = join(dir, 'answers.json');
    writeFileSync(answers, JSON.stringify({ [killed]: 'not-posted' }));
    const second = await daycap(['run', '--ledger', ledger, '--handler', fixture('handlers/verify.mjs'), '--no-tui'], { cwd: dir, env: { DAYCAP_TEST_VERIFY_FILE: answers } });
    expect(second.code).toBe(EXIT.OK);
    const row = (await readLedgerView(ledger)).jobs.find((r) => r.job_id === killed);
    expect(row).toMatchObject({ status: 'success', video_id: `v-${killed}` });
  });
});

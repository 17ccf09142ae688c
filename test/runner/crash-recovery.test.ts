/**
 * G5 with real processes: a run killed with SIGKILL mid-job, then a new run. The killed job may
 * have posted, so without verify it is never run again and keeps its account at the cap (until
 * release-stale); with verify it is settled by the verdict.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLedgerView } from '../../src/ledger/store.js';
import { EXIT } from '../../src/runner/exit-codes.js';
import { daycap, start } from '../helpers/cli.js';
import { fixture, tempDir } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { writeLedger } from '../helpers/ledgers.js';
import { readRecord, RECORDING } from '../helpers/recording.js';

async function killMidJob(dir: string, ledger: string): Promise<string> {
  const run = start(['run', '--ledger', ledger, '--handler', fixture('handlers/hangs.mjs'), '--workers', '1', '--no-tui'], { cwd: dir });
  const out = await run.waitFor(/claimed job (\S+)/);
  run.child.kill('SIGKILL');
  await run.done;
  return /claimed job (\S+)/.exec(out)![1]!;
}

/** Two jobs, a run killed while posting one, and a second run whose handler's verify answers `verdict` for it. */
async function killedThenVerified(verdict: 'posted' | 'not-posted') {
  const dir = tempDir();
  const ledger = writeLedger(dir, gridJobs(2, 1, {}, { videosIn: dir }));
  const killed = await killMidJob(dir, ledger);
  const answers = join(dir, 'answers.json');
  writeFileSync(answers, JSON.stringify({ [killed]: verdict }));
  const second = await daycap(['run', '--ledger', ledger, '--handler', fixture('handlers/verify.mjs'), '--no-tui'], { cwd: dir, env: { DAYCAP_TEST_VERIFY_FILE: answers } });
  return { ledger, killed, second };
}

describe('a run killed mid-job, then a new run (G5)', () => {
  it('never runs the killed job again without verify, until release-stale', async () => {
    const dir = tempDir();
    const ledger = writeLedger(dir, gridJobs(3, 1, {}, { videosIn: dir }));
    const killed = await killMidJob(dir, ledger);

    const record = join(dir, 'record.jsonl');
    const env = { DAYCAP_RECORD_FILE: record };
    const run = () => daycap(['run', '--ledger', ledger, '--handler', RECORDING, '--no-tui'], { cwd: dir, env });
    const second = await run();
    expect(second.code).toBe(EXIT.JOBS_LEFT);
    expect(second.stdout).toMatch(/recovered: 1 unconfirmed/);
    expect(readRecord(record).map((r) => r.job_id)).not.toContain(killed);
    const rows = (await readLedgerView(ledger)).jobs;
    const account = rows.find((r) => r.job_id === killed)!.account;
    expect(rows.find((r) => r.job_id === killed)?.status).toBe('unconfirmed');
    expect(rows.filter((r) => r.status === 'success')).toHaveLength(2);

    // While unconfirmed it counts toward its account's cap, and a third run still leaves it alone.
    const status = JSON.parse((await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir })).stdout) as { accountsAtCap: string[] };
    expect(status.accountsAtCap).toContain(account);
    expect((await run()).code).toBe(EXIT.JOBS_LEFT);
    expect(readRecord(record).map((r) => r.job_id)).not.toContain(killed);

    // The operator, having checked the platform, releases it; the next run posts it.
    const release = await daycap(['release-stale', '--ledger', ledger], { cwd: dir });
    expect(release.code).toBe(0);
    expect(release.stdout).toContain(`1 job released to pending: ${killed}`);
    const last = await run();
    expect(last.code).toBe(EXIT.OK);
    expect(readRecord(record).filter((r) => r.job_id === killed)).toHaveLength(1);
    expect((await readLedgerView(ledger)).jobs.every((r) => r.status === 'success')).toBe(true);
  });

  it('settles the killed job by verify: posted becomes success and is not run again', async () => {
    const { ledger, killed, second } = await killedThenVerified('posted');
    expect(second.code).toBe(EXIT.OK);
    expect(second.stdout).toMatch(/verify: 1 posted/);
    const row = (await readLedgerView(ledger)).jobs.find((r) => r.job_id === killed);
    expect(row).toMatchObject({ status: 'success' });
    expect(row?.video_id).toBe('');
  });

  it('settles the killed job by verify: not-posted goes back to pending and runs', async () => {
    const { ledger, killed, second } = await killedThenVerified('not-posted');
    expect(second.code).toBe(EXIT.OK);
    const row = (await readLedgerView(ledger)).jobs.find((r) => r.job_id === killed);
    expect(row).toMatchObject({ status: 'success', video_id: `v-${killed}` });
  });
});

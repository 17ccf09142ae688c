/**
 * Several hosts on one day: three `daycap run` processes with four workers each on one database
 * ledger, checked against the recording handler's own fsync'd record of every post (G1, G2, G5).
 */
import { describe, expect, it } from 'vitest';
import { importLedger } from '../../src/api/transfer.js';
import { ledgerAt } from '../../src/store/open.js';
import { EXIT } from '../../src/runner/exit-codes.js';
import { daycap } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { writeLedger } from '../helpers/ledgers.js';
import { pgLedgerUrl } from '../helpers/pg.js';
import { readRecord, recordProblems, RECORDING } from '../helpers/recording.js';

describe('three runs on one database ledger', () => {
  it('never pass the cap, never run an account twice at once, never post a job twice, and finish every job', async () => {
    const dir = tempDir();
    const file = writeLedger(dir, gridJobs(300, 2, {}, { videosIn: dir }));
    const url = pgLedgerUrl('three-hosts');
    await importLedger({ ledger: url, from: file, now: Date.now() });
    const record = `${dir}/record.jsonl`;
    // Every second job of an account fails on its first attempt, so retries cross hosts too.
    const env = { DAYCAP_RECORD_FILE: record, DAYCAP_FAIL_PATTERN: '-1$', DAYCAP_FAIL_ATTEMPTS: '1', DAYCAP_DELAY_MAX_MS: '3' };
    const args = ['run', '--ledger', url, '--handler', RECORDING, '--workers', '4', '--cap', '2', '--retry-delay', '200ms', '--no-tui'];
    const runs = await Promise.all([1, 2, 3].map(() => daycap(args, { cwd: dir, env })));
    for (const run of runs) expect(run.code, run.stdout.slice(-2000) + run.stderr).toBe(EXIT.OK);

    const calls = readRecord(record);
    expect(recordProblems(calls, 2)).toEqual([]);
    const posted = calls.filter((call) => call.ok);
    expect(new Set(posted.map((call) => call.job_id)).size).toBe(600);
    expect(posted).toHaveLength(600);
    expect(calls.filter((call) => !call.ok)).toHaveLength(300);
    // Each host did part of the day.
    expect(new Set(posted.map((call) => call.pid)).size).toBe(3);
    const { jobs } = await ledgerAt(url).read();
    expect(jobs.every((job) => job.status === 'success')).toBe(true);
  });
});

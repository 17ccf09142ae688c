/**
 * A run on a shared ledger, in this process with real worker threads: it hears of another run's
 * claims left behind mid-run, verifies them (G5) and finishes the day, never ending early while
 * another run still holds work.
 */
import { describe, expect, it, vi } from 'vitest';
import { ledgerAt } from '../../src/store/open.js';
import { gridJobs } from '../helpers/jobs.js';
import { tempDir } from '../helpers/files.js';
import { openCommandStore, openRunStore, pgLedgerUrl, testRules } from '../helpers/pg.js';
import { readRecord, recordedRun, recordIn, recordProblems, RECORDING_VERIFY } from '../helpers/recording.js';
import { sleep } from '../helpers/time.js';

async function seeded(name: string, accounts: number): Promise<string> {
  const url = pgLedgerUrl(name);
  const store = await openCommandStore(url);
  await store.act({ kind: 'add', jobs: gridJobs(accounts, 1) }, Date.now());
  await store.close({ final: true, label: 'seed' });
  return url;
}

describe('a run on a shared ledger', () => {
  it("verifies the claims another run left behind mid-run, then posts those that were not posted", async () => {
    const url = await seeded('left-behind', 12);
    const record = recordIn(tempDir());
    vi.stubEnv('DAYCAP_DELAY_MAX_MS', '60');
    // Another host claims a job, then goes away mid-run without recording it.
    const other = await openRunStore(url, 'other');
    const left = (await other.exchange({ runId: 'other', workerId: 1, now: Date.now(), reports: [], want: 1 })).claimed[0]!;
    const running = recordedRun({ ledger: url, handler: { kind: 'module', path: RECORDING_VERIFY }, workers: 1, leaseMs: 400, othersPollMs: 100, watchLedger: true });
    await sleep(300);
    await other.close({ final: false, label: 'other' });
    const result = await running;
    expect(result.exitCode).toBe(0);
    const recovered = result.events.filter((event) => event.type === 'recovered');
    expect(recovered).toEqual([expect.objectContaining({ unconfirmed: 1, notPosted: 1 })]);
    expect(result.events).toContainEqual(expect.objectContaining({ type: 'warning', message: expect.stringMatching(/run other stopped renewing its lease: 1 claim made unconfirmed/) }));
    const calls = readRecord(record);
    expect(recordProblems(calls, 1)).toEqual([]);
    expect(calls.filter((call) => call.ok).map((call) => call.job_id)).toContain(left.job.job_id);
    expect((await ledgerAt(url).read()).jobs.every((job) => job.status === 'success')).toBe(true);
  });

  it('waits for what another run holds instead of ending the day, and takes the work its outcome frees', async () => {
    const url = await seeded('waits', 1);
    const record = recordIn(tempDir());
    const other = await openRunStore(url, 'other', { rules: testRules(1, { retryDelayMs: 10 }) });
    const held = (await other.exchange({ runId: 'other', workerId: 1, now: Date.now(), reports: [], want: 1 })).claimed[0]!;
    const running = recordedRun({ ledger: url, workers: 2, othersPollMs: 100, watchLedger: true });
    await sleep(500);
    // The other host's post failed: its job is to be retried, and this run, still waiting, takes it.
    await other.exchange({ runId: 'other', workerId: 1, now: Date.now(), reports: [{ kind: 'outcome', jobId: held.job.job_id, outcome: { ok: false, error: { message: 'adb timeout' } } }], want: 0 });
    await other.close({ final: true, label: 'other' });
    const result = await running;
    expect(result.exitCode).toBe(0);
    expect(readRecord(record).map((call) => call.job_id)).toEqual([held.job.job_id]);
  });
});

/**
 * import and export: a file ledger imported, run and exported is byte for byte what the file store
 * writes for the same outcomes (columns, quoting, times); the archives that count for today's cap
 * come along; a ledger that holds rows is never imported into.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportLedger, importLedger } from '../../src/api/transfer.js';
import { newJob, type Job } from '../../src/core/job.js';
import { localIsoTime } from '../../src/core/time.js';
import { ledgerAt } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { todayStamp, writeLedger } from '../helpers/ledgers.js';
import { openCommandStore, openRunStore, pgLedgerUrl, testRules } from '../helpers/pg.js';

const T0 = Date.parse('2026-11-29T20:00:00Z');
const NOW = T0 + 3_600_000;

/** A day as the seed system leaves it: naive local times, an extra column, captions that need quoting, hostile names. */
function dayOfWork(): Job[] {
  const jobs: Job[] = gridJobs(6, 2).map((job, i) => ({ ...job, extra: { notes: i % 2 === 0 ? `note "${i}", with comma` : '' } }));
  jobs[0] = { ...jobs[0]!, status: 'success', claimed_at: localIsoTime(T0), completed_at: localIsoTime(T0 + 1234), attempts: 1, worker_id: '3', run_id: 'old', video_id: 'p-old', pass_number: 1 };
  jobs.push(newJob({ job_id: `x'; DROP TABLE jobs; --`, account: `o'brien "the" \\ bear 🐻`, caption: '=SUM(A1)\r\n\t"quoted"', extra: { notes: 'héllo' } }));
  return jobs;
}

/** Claims one job at a time on one worker until none is left, at one fixed moment: ids ending in -1 fail, the rest post. */
async function workThrough(store: Store): Promise<void> {
  for (let claim = (await store.exchange({ runId: 'r1', workerId: 1, now: NOW, reports: [], want: 1 })).claimed[0]; claim; ) {
    const failing = claim.job.job_id.endsWith('-1');
    const outcome = failing ? { ok: false as const, error: { message: 'adb timeout' } } : { ok: true as const, postId: `post-${claim.job.job_id}` };
    const next = await store.exchange({ runId: 'r1', workerId: 1, now: NOW, reports: [{ kind: 'outcome', jobId: claim.job.job_id, outcome }], want: 1 });
    claim = next.claimed[0];
  }
}

describe('import and export', () => {
  it('round-trips a file ledger byte for byte with what the file store writes for the same outcomes', async () => {
    const dir = tempDir();
    const original = writeLedger(dir, dayOfWork(), ['notes']);
    const fileCopy = join(dir, 'file-run.csv');
    copyFileSync(original, fileCopy);
    const rules = testRules(2);

    const fileStore = await ledgerAt(fileCopy).open({ durability: 'journal', runId: 'r1', command: 'test', rules });
    await workThrough(fileStore);
    await fileStore.close({ final: true, label: 'r1' });

    const url = pgLedgerUrl('round-trip');
    expect(await importLedger({ ledger: url, from: original, now: NOW })).toEqual({ jobs: 13, archives: 0 });
    const pgStore = await openRunStore(url, 'r1', { rules });
    await workThrough(pgStore);
    await pgStore.close({ final: true, label: 'r1' });
    const out = join(dir, 'exported.csv');
    expect(await exportLedger({ ledger: url, out })).toEqual({ jobs: 13 });

    const written = readFileSync(fileCopy, 'utf8');
    expect(written).toContain('retrying');
    expect(readFileSync(out, 'utf8')).toBe(written);
    expect((await ledgerAt(out).validate()).ok).toBe(true);
  });

  it('refuses to import into a ledger that holds rows', async () => {
    const dir = tempDir();
    const file = writeLedger(dir, gridJobs(2, 1));
    const url = pgLedgerUrl('full');
    await importLedger({ ledger: url, from: file, now: NOW });
    await expect(importLedger({ ledger: url, from: file, now: NOW })).rejects.toThrow(/already holds rows/);
  });

  it("carries the archives of today over, whose posts still count toward today's cap", async () => {
    const dir = tempDir();
    const now = Date.now();
    const file = writeLedger(dir, gridJobs(2, 1));
    writeFileSync(join(dir, `progress_${todayStamp(new Date(now))}.csv`), readFileSync(writeLedger(tempDir(), [newJob({ job_id: 'earlier', account: 'acct0', status: 'success', completed_at: new Date(now).toISOString() })]), 'utf8'));
    const url = pgLedgerUrl('with-archive');
    expect(await importLedger({ ledger: url, from: file, now })).toEqual({ jobs: 2, archives: 1 });
    const posts = await ledgerAt(url).archivedPosts({ now });
    expect(Object.fromEntries(posts.today)).toEqual({ acct0: 1 });
    const store = await openRunStore(url, 'r1', { rules: testRules(1, { archivedToday: posts.today }) });
    const claimed = await store.exchange({ runId: 'r1', workerId: 1, now, reports: [], want: 2 });
    expect(claimed.claimed.map((c) => c.job.account)).toEqual(['acct1']);
    await store.close({ final: true, label: 'r1' });
  });

  it('refuses a cell PostgreSQL cannot hold, by job and column', async () => {
    const store = await openCommandStore(pgLedgerUrl('nul'));
    await expect(store.act({ kind: 'add', jobs: [newJob({ job_id: 'nul', account: 'a', caption: 'bad\u0000byte' })] }, NOW)).rejects.toThrow(/job nul: caption holds a NUL character/);
    expect((await store.tally()).jobs).toBe(0);
    await store.close({ final: true, label: 'test' });
  });
});

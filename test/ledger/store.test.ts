import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { newJob, type Job } from '../../src/core/job.js';
import { InputError, StorageError } from '../../src/errors.js';
import { parseLedger } from '../../src/ledger/codec.js';
import { readJournal } from '../../src/ledger/journal.js';
import { readKeptDigest } from '../../src/ledger/digest-file.js';
import { encodeRecord } from '../../src/ledger/journalRecord.js';
import { acquireLedgerLock } from '../../src/ledger/lock/index.js';
import { journalPath, sealedJournalsDir, stateDir } from '../../src/ledger/paths.js';
import { LedgerStore, readLedgerFile, readLedgerView } from '../../src/ledger/store.js';
import { FaultyOps } from '../helpers/file-faults.js';
import { listDir, tempDir } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { tempLedger } from '../helpers/ledgers.js';

const csvJobs = async (ledger: string): Promise<Job[]> => (await readLedgerFile(ledger)).parsed!.jobs;
const claimed = (job: Job): Job => ({ ...job, status: 'claimed', worker_id: '1', claimed_at: '2026-11-29T22:01:03.000Z' });

describe('LedgerStore', () => {
  it('commits to the journal, snapshots on close, seals the journal, releases the lock', async () => {
    const jobs = gridJobs(3, 1);
    const ledger = tempLedger(jobs);
    const store = await LedgerStore.open(ledger, { command: 'daycap run', now: () => 0 });
    expect(store.jobs).toEqual(jobs);
    expect(store.recovered).toBeUndefined();
    const all = jobs.map((j, i) => (i === 1 ? claimed(j) : j));
    await store.commit([all[1]!]);
    expect((await readJournal(journalPath(ledger))).jobs).toEqual([all[1]]);
    expect(await csvJobs(ledger)).toEqual(jobs);
    await store.close(all, 'run-1');
    await store.close(all, 'run-1');
    expect(await csvJobs(ledger)).toEqual(all);
    expect(store.lastWrittenHash).toBe(createHash('sha256').update(await readFile(ledger)).digest('hex'));
    expect(await listDir(sealedJournalsDir(ledger))).toEqual(['1970-01-01T00-00-00.000Z-run-1.jsonl']);
    // The digest of the rows just written, for status (src/ledger/digest-file.ts), beside the sealed journals.
    expect(await listDir(stateDir(ledger))).toEqual(['digest.json', 'journals']);
    expect(await readKeptDigest(ledger)).toMatchObject({ jobs: 3, counts: { pending: 2, claimed: 1 } });
    await (await acquireLedgerLock(ledger, { command: 'next' })).release();
  });

  it('lets readers see the journaled rows beside the holder, without the lock', async () => {
    const jobs = gridJobs(2, 1);
    const ledger = tempLedger(jobs);
    const store = await LedgerStore.open(ledger, { command: 'daycap run' });
    await store.commit([claimed(jobs[0]!)]);
    const view = await readLedgerView(ledger);
    expect(view.jobs).toEqual([claimed(jobs[0]!), jobs[1]]);
    expect(view.journalRecords).toBe(1);
    await store.close(undefined, 'test');
  });

  it('recovers a crashed run: journal records written but never closed are folded in and the journal sealed', async () => {
    const jobs = gridJobs(3, 1);
    const ledger = tempLedger(jobs);
    await mkdir(stateDir(ledger), { recursive: true });
    const changed = [claimed(jobs[0]!), { ...claimed(jobs[0]!), status: 'success' as const }, newJob({ job_id: 'added', caption: 'new\r\nrow' })];
    await writeFile(journalPath(ledger), changed.map((job, i) => encodeRecord(i + 1, job)).join(''));
    const before = await readFile(journalPath(ledger));
    const store = await LedgerStore.open(ledger, { command: 'daycap run', now: () => 0 });
    const expected = [changed[1]!, jobs[1]!, jobs[2]!, changed[2]!];
    expect(store.jobs).toEqual(expected);
    expect(await csvJobs(ledger)).toEqual(expected);
    expect(store.recovered).toEqual({ records: 3, sealedTo: join(sealedJournalsDir(ledger), '1970-01-01T00-00-00.000Z-recovered.jsonl') });
    expect(await readFile(store.recovered!.sealedTo!)).toEqual(before);
    await expect(readFile(journalPath(ledger))).rejects.toMatchObject({ code: 'ENOENT' });
    await store.close(undefined, 'next');
  });

  it('recovers from its own unclosed journal, setting a torn tail aside', async () => {
    const jobs = gridJobs(2, 1);
    const ledger = tempLedger(jobs);
    const store = await LedgerStore.open(ledger, { command: 'daycap run' });
    await store.commit([claimed(jobs[0]!)]);
    await store.commit([claimed(jobs[1]!)]);
    // The process dies mid-write: the lock goes, the journal stays with half a record.
    await store.lock!.release();
    await appendFile(journalPath(ledger), encodeRecord(3, newJob({ job_id: 'half' })).slice(0, 25));
    const reopened = await LedgerStore.open(ledger, { command: 'daycap run', now: () => 0 });
    expect(reopened.jobs).toEqual([claimed(jobs[0]!), claimed(jobs[1]!)]);
    expect(reopened.recovered).toMatchObject({ records: 2, tornTail: { length: 25, reason: 'incomplete record (no line end)' } });
    expect(await listDir(sealedJournalsDir(ledger))).toEqual(['1970-01-01T00-00-00.000Z-recovered.jsonl', '1970-01-01T00-00-00.000Z-recovered.torn']);
    await reopened.close(undefined, 'x');
  });

  it('close without rows keeps journaled changes: the journal stays active for the next open', async () => {
    const jobs = gridJobs(2, 1);
    const ledger = tempLedger(jobs);
    const store = await LedgerStore.open(ledger, { command: 'daycap run' });
    await store.commit([claimed(jobs[0]!)]);
    await store.close(undefined, 'storage-failed');
    expect((await readJournal(journalPath(ledger))).jobs).toHaveLength(1);
    expect((await readLedgerView(ledger)).jobs[0]).toEqual(claimed(jobs[0]!));
    const reopened = await LedgerStore.open(ledger, { command: 'daycap run' });
    expect(reopened.recovered?.records).toBe(1);
    expect(await csvJobs(ledger)).toEqual([claimed(jobs[0]!), jobs[1]]);
    await reopened.close(undefined, 'x');
  });

  it('keeps extra columns through snapshots and recovery', async () => {
    const jobs = [newJob({ job_id: 'a', extra: { notes: 'n1' } }), newJob({ job_id: 'b', extra: { notes: 'n2' } })];
    const ledger = tempLedger(jobs, ['notes']);
    const store = await LedgerStore.open(ledger, { command: 'daycap run' });
    expect(store.extraColumns).toEqual(['notes']);
    await store.commit([{ ...jobs[0]!, status: 'skipped' }]);
    await store.close([{ ...jobs[0]!, status: 'skipped' }, jobs[1]!], 'x');
    expect(parseLedger(await readFile(ledger), ledger).jobs).toEqual([{ ...jobs[0]!, status: 'skipped' }, jobs[1]]);
  });

  it('refuses a ledger that does not parse, changes nothing, and releases the lock', async () => {
    const ledger = join(tempDir(), 'progress.csv');
    await writeFile(ledger, 'job_id,account\n"broken');
    await mkdir(stateDir(ledger));
    await writeFile(journalPath(ledger), encodeRecord(1, newJob({ job_id: 'a' })));
    const csvBefore = await readFile(ledger);
    const journalBefore = await readFile(journalPath(ledger));
    await expect(LedgerStore.open(ledger, { command: 'daycap run' })).rejects.toBeInstanceOf(InputError);
    expect(await readFile(ledger)).toEqual(csvBefore);
    expect(await readFile(journalPath(ledger))).toEqual(journalBefore);
    await (await acquireLedgerLock(ledger, { command: 'next' })).release();
  });

  it('a failed snapshot leaves the previous CSV intact and reports StorageError', async () => {
    const jobs = gridJobs(2, 1);
    const ledger = tempLedger(jobs);
    const before = await readFile(ledger);
    const store = await LedgerStore.open(ledger, { command: 'daycap run', ops: new FaultyOps({ op: 'fsync', code: 'ENOSPC' }) });
    await expect(store.snapshot([claimed(jobs[0]!), jobs[1]!])).rejects.toBeInstanceOf(StorageError);
    expect(await readFile(ledger)).toEqual(before);
    await store.close(undefined, 'x');
  });

  it('a failed commit rejects, and every later commit too', async () => {
    const jobs = gridJobs(2, 1);
    const ledger = tempLedger(jobs);
    const store = await LedgerStore.open(ledger, { command: 'daycap run', ops: new FaultyOps({ op: 'fdatasync', code: 'EIO' }) });
    await expect(store.commit([claimed(jobs[0]!)])).rejects.toBeInstanceOf(StorageError);
    await expect(store.commit([claimed(jobs[1]!)])).rejects.toBeInstanceOf(StorageError);
    await store.close(undefined, 'storage-failed');
  });

  it('removes temp files of killed writes when opening', async () => {
    const ledger = tempLedger(gridJobs(1, 1));
    const temp = join(ledger, '..', '.progress.csv.999999999.abcdef.tmp');
    await writeFile(temp, 'half a ledger');
    const store = await LedgerStore.open(ledger, { command: 'daycap run' });
    expect(await listDir(join(ledger, '..'))).not.toContain('.progress.csv.999999999.abcdef.tmp');
    await store.close(undefined, 'x');
  });

  it('snapshot policy: every max(1000, rows/2) records, or after 30 s with anything pending', async () => {
    const ledger = tempLedger(gridJobs(1, 1));
    const store = await LedgerStore.open(ledger, { command: 'daycap run' });
    expect(store.shouldSnapshot(10, 0)).toBe(false);
    await store.commit(gridJobs(999, 1));
    expect(store.shouldSnapshot(10, 1)).toBe(false);
    expect(store.shouldSnapshot(10, 30_000)).toBe(true);
    await store.commit(gridJobs(1, 1));
    expect(store.shouldSnapshot(10, 2)).toBe(true);
    expect(store.shouldSnapshot(4000, 2)).toBe(false);
    await store.snapshot(gridJobs(1000, 1));
    // The 30 s count from the first check after a snapshot, in the caller's clock.
    expect(store.shouldSnapshot(10, 100_000)).toBe(false);
    await store.commit(gridJobs(1, 1));
    expect(store.shouldSnapshot(10, 129_999)).toBe(false);
    expect(store.shouldSnapshot(10, 130_000)).toBe(true);
    await store.snapshot(gridJobs(1000, 1));
    expect(store.shouldSnapshot(10, 200_000)).toBe(false);
    await store.commit(gridJobs(1, 1));
    expect(store.shouldSnapshot(10, 229_999)).toBe(false);
    expect(store.shouldSnapshot(10, 230_000)).toBe(true);
    await store.close(undefined, 'x');
  });

  it('a one-shot command can rewrite the ledger with snapshot alone (no journal is created)', async () => {
    const ledger = tempLedger(gridJobs(2, 1));
    const store = await LedgerStore.open(ledger, { command: 'daycap retry-failed' });
    const all = [...store.jobs, newJob({ job_id: 'new' })];
    await store.snapshot(all);
    store.jobs = all;
    await store.close(undefined, 'retry-failed');
    expect(await csvJobs(ledger)).toEqual(all);
    expect(await listDir(stateDir(ledger))).toEqual([]);
  });
});

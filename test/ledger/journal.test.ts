import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { newJob, type Job } from '../../src/core/job.js';
import { InputError, StorageError } from '../../src/errors.js';
import { Journal, readJournal, sealJournal } from '../../src/ledger/journal.js';
import { encodeRecord } from '../../src/ledger/journalRecord.js';
import { journalPath, sealedJournalsDir, stateDir } from '../../src/ledger/paths.js';
import { FaultyOps } from '../helpers/file-faults.js';
import { listDir, tempDir } from '../helpers/files.js';

const nasty = (i: number): Job => newJob({ job_id: `j${i}`, caption: `line\r\nbreak, "quoted" 🐻 =${i}`, attempts: i, extra: { note: `n${i}` } });

async function journalFile(): Promise<string> {
  const dir = tempDir();
  await mkdir(join(dir, 'j'));
  return join(dir, 'j', 'journal.jsonl');
}

describe('Journal', () => {
  it('appends records that read back in order, byte-exact', async () => {
    const path = await journalFile();
    const journal = await Journal.open(path);
    const jobs = [nasty(1), nasty(2), nasty(3)];
    await journal.append(jobs.slice(0, 2));
    await journal.append(jobs.slice(2));
    expect(journal.records).toBe(3);
    await journal.close();
    expect(await readJournal(path)).toEqual({ exists: true, jobs });
    const firstLine = (await readFile(path, 'utf8')).split('\n')[0]!;
    expect(firstLine).toMatch(/^[0-9a-f]{8}\t\{"seq":1,"job":\{/);
  });

  it('reopens in append mode and never truncates', async () => {
    const path = await journalFile();
    const first = await Journal.open(path);
    await first.append([nasty(1)]);
    await first.close();
    const second = await Journal.open(path);
    expect(second.records).toBe(1);
    await second.append([nasty(2)]);
    await second.close();
    expect((await readJournal(path)).jobs.map((j) => j.job_id)).toEqual(['j1', 'j2']);
  });

  it('group commit: concurrent appends share syncs, all land in call order, each resolves only after a sync', async () => {
    const path = await journalFile();
    const ops = new FaultyOps();
    const journal = await Journal.open(path, ops);
    const appenders = 8;
    const rounds = 25;
    const resolvedAfterSyncs: number[] = [];
    const callOrder: string[] = [];
    const resolutionOrder: string[] = [];
    await Promise.all(Array.from({ length: appenders }, async (_, a) => {
      for (let r = 0; r < rounds; r++) {
        const rows = [newJob({ job_id: `a${a}-r${r}-x` }), newJob({ job_id: `a${a}-r${r}-y` })];
        const syncsBefore = ops.count('fdatasync');
        callOrder.push(rows[0]!.job_id, rows[1]!.job_id);
        await journal.append(rows);
        resolutionOrder.push(rows[0]!.job_id, rows[1]!.job_id);
        // Resolved means at least one sync completed after this append was made.
        resolvedAfterSyncs.push((ops.count('fdatasync')) - syncsBefore);
      }
    }));
    await journal.close();
    const ids = (await readJournal(path)).jobs.map((j) => j.job_id);
    expect(ids).toEqual(callOrder);
    expect(new Set(ids).size).toBe(appenders * rounds * 2);
    expect(resolvedAfterSyncs.every((n) => n >= 1)).toBe(true);
    expect(ops.count('fdatasync')).toBeLessThan(appenders * rounds);
    expect(ops.count('write')).toBe(ops.count('fdatasync'));
    // Appends resolve in the order their bytes were written.
    expect(resolutionOrder).toEqual(ids);
  });

  for (const failing of ['write', 'fdatasync'] as const) {
    it(`a failed ${failing} rejects that batch with StorageError and poisons the journal for good`, async () => {
      const path = await journalFile();
      const ops = new FaultyOps({ op: failing, code: 'EIO', nth: 2 });
      const journal = await Journal.open(path, ops);
      await journal.append([nasty(1)]);
      const batch = [journal.append([nasty(2)]), journal.append([nasty(3)])];
      const results = await Promise.allSettled(batch);
      expect(results.every((r) => r.status === 'rejected' && r.reason instanceof StorageError)).toBe(true);
      const syncs = ops.count('fdatasync');
      await expect(journal.append([nasty(4)])).rejects.toBeInstanceOf(StorageError);
      // Never retried: no write or sync after the failure.
      expect(ops.count('fdatasync')).toBe(syncs);
      expect(journal.poisoned).toBe(true);
      expect(journal.records).toBe(1);
      await journal.close();
    });
  }
});

describe('readJournal: torn tail and damage', () => {
  async function writtenJournal(n: number): Promise<{ path: string; bytes: Buffer; lastStart: number; jobs: Job[] }> {
    const path = await journalFile();
    const jobs = Array.from({ length: n }, (_, i) => nasty(i));
    const text = jobs.map((job, i) => encodeRecord(i + 1, job)).join('');
    await writeFile(path, text);
    const bytes = Buffer.from(text);
    return { path, bytes, lastStart: bytes.length - Buffer.byteLength(encodeRecord(n, jobs[n - 1]!)), jobs };
  }

  it('a last record cut at every byte is set aside, and only it', async () => {
    const { path, bytes, lastStart, jobs } = await writtenJournal(3);
    for (let cut = lastStart; cut < bytes.length; cut++) {
      await writeFile(path, bytes.subarray(0, cut));
      const read = await readJournal(path);
      expect(read.jobs).toEqual(jobs.slice(0, 2));
      if (cut === lastStart) expect(read.tornTail).toBeUndefined();
      else expect(read.tornTail).toMatchObject({ offset: lastStart, length: cut - lastStart });
    }
  });

  it('a last record with a flipped byte (checksum) or broken JSON is set aside', async () => {
    const { path, bytes, lastStart, jobs } = await writtenJournal(3);
    const flipped = Buffer.from(bytes);
    flipped[lastStart + 30]! ^= 0x01;
    await writeFile(path, flipped);
    expect(await readJournal(path)).toMatchObject({ jobs: jobs.slice(0, 2), tornTail: { offset: lastStart, reason: 'checksum mismatch' } });
  });

  it('a zero-filled tail and a garbage tail are set aside', async () => {
    const { path, bytes, jobs } = await writtenJournal(2);
    await writeFile(path, Buffer.concat([bytes, Buffer.alloc(4096)]));
    expect(await readJournal(path)).toMatchObject({ jobs, tornTail: { offset: bytes.length, length: 4096, reason: 'zero-filled' } });
    await writeFile(path, Buffer.concat([bytes, Buffer.from('garbage\nmore garbage\n\0\0\0')]));
    expect(await readJournal(path)).toMatchObject({ jobs, tornTail: { offset: bytes.length, length: 24 } });
  });

  it('damage followed by a good record is refused, naming file and line', async () => {
    const { path, bytes, lastStart } = await writtenJournal(3);
    const damaged = Buffer.from(bytes);
    damaged[lastStart - 5]! ^= 0x01; // inside record 2; record 3 is good
    await writeFile(path, damaged);
    const error = await readJournal(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'JOURNAL_DAMAGED', position: { file: path, line: 2 } });
    expect((error as InputError).hint).toMatch(/move the journal file aside/);
  });

  it('a missing journal reads as none', async () => {
    expect(await readJournal(join(tempDir(), 'none.jsonl'))).toEqual({ exists: false, jobs: [] });
  });

  it('does not let a record carry a prototype key into a job', async () => {
    const path = await journalFile();
    const json = '{"seq":1,"job":' + JSON.stringify(newJob({ job_id: 'p' })).replace(/}$/, ',"extra":{"__proto__":"polluted","ok":"y"}}') + '}';
    const { crc32 } = await import('node:zlib');
    await writeFile(path, `${crc32(json).toString(16).padStart(8, '0')}\t${json}\n`);
    const [job] = (await readJournal(path)).jobs;
    expect(job!.extra).toEqual({ ok: 'y' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('sealJournal', () => {
  it('moves the active journal under journals/ with a unique name, never over an existing one', async () => {
    const ledger = join(tempDir(), 'progress.csv');
    await mkdir(stateDir(ledger));
    const now = Date.UTC(2026, 10, 29, 22, 1, 3);
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      await writeFile(journalPath(ledger), encodeRecord(1, nasty(i)));
      names.push((await sealJournal(ledger, 'run 42', { now }))!);
    }
    expect(names.map((n) => n.slice(sealedJournalsDir(ledger).length + 1))).toEqual([
      '2026-11-29T22-01-03.000Z-run_42.jsonl', '2026-11-29T22-01-03.000Z-run_42-1.jsonl', '2026-11-29T22-01-03.000Z-run_42-2.jsonl',
    ]);
    for (let i = 0; i < 3; i++) expect((await readJournal(names[i]!)).jobs).toEqual([nasty(i)]);
    expect(await listDir(stateDir(ledger))).toEqual(['journals']);
    expect(await sealJournal(ledger, 'again')).toBeUndefined();
  });

  it('copies a torn tail\'s bytes to <name>.torn beside the sealed journal', async () => {
    const ledger = join(tempDir(), 'progress.csv');
    await mkdir(stateDir(ledger));
    await writeFile(journalPath(ledger), encodeRecord(1, nasty(1)));
    await appendFile(journalPath(ledger), 'deadbeef\t{"seq":2,"jo');
    const sealed = (await sealJournal(ledger, 'recovered', { now: 0 }))!;
    expect(await listDir(sealedJournalsDir(ledger))).toEqual(['1970-01-01T00-00-00.000Z-recovered.jsonl', '1970-01-01T00-00-00.000Z-recovered.torn']);
    expect(await readFile(sealed.replace(/\.jsonl$/, '.torn'), 'utf8')).toBe('deadbeef\t{"seq":2,"jo');
    // The sealed journal itself is kept whole, torn tail included.
    expect((await readFile(sealed, 'utf8')).endsWith('"jo')).toBe(true);
  });

  it('keeps the active journal if the link fails', async () => {
    const ledger = join(tempDir(), 'progress.csv');
    await mkdir(stateDir(ledger));
    await writeFile(journalPath(ledger), encodeRecord(1, nasty(1)));
    await expect(sealJournal(ledger, 'x', { ops: new FaultyOps({ op: 'link' }) })).rejects.toBeInstanceOf(StorageError);
    expect((await readJournal(journalPath(ledger))).jobs).toEqual([nasty(1)]);
  });
});

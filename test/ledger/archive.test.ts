import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { archiveLedger, archiveName, todaysArchives } from '../../src/ledger/archive.js';
import { FaultyOps } from '../helpers/file-faults.js';
import { listDir, tempDir } from '../helpers/files.js';

/** Noon local time, so the local date is the same in every time zone the tests may run in. */
const NOON = new Date(2026, 10, 29, 12, 0, 0).getTime();

describe('archiveLedger', () => {
  it('moves the ledger to <name>_<YYYYMMDD>.csv, then _1, _2, never over an existing file', async () => {
    const dir = tempDir();
    const ledger = join(dir, 'progress.csv');
    const archived: string[] = [];
    for (const day of ['first', 'second', 'third']) {
      await writeFile(ledger, `${day}\n`);
      archived.push((await archiveLedger(ledger, { now: NOON }))!);
    }
    expect(archived).toEqual(['progress_20261129.csv', 'progress_20261129_1.csv', 'progress_20261129_2.csv'].map((n) => join(dir, n)));
    expect(await Promise.all(archived.map((a) => readFile(a, 'utf8')))).toEqual(['first\n', 'second\n', 'third\n']);
    expect(await listDir(dir)).toEqual(['progress_20261129.csv', 'progress_20261129_1.csv', 'progress_20261129_2.csv']);
    expect(await archiveName(ledger, new Date(NOON))).toBe(join(dir, 'progress_20261129_3.csv'));
  });

  it('archives an invalid ledger byte for byte', async () => {
    const dir = tempDir();
    const ledger = join(dir, 'progress.csv');
    const corrupt = Buffer.from([0x6a, 0x6f, 0x62, 0x22, 0xff, 0x00, 0x0a]);
    await writeFile(ledger, corrupt);
    const archived = await archiveLedger(ledger, { now: NOON });
    expect(await readFile(archived!)).toEqual(corrupt);
  });

  it('uses the archive folder, and returns undefined when there is no ledger', async () => {
    const dir = tempDir();
    const ledger = join(dir, 'daily.csv');
    const archiveDir = join(dir, 'archive', 'nested');
    expect(await archiveLedger(ledger, { now: NOON, archiveDir })).toBeUndefined();
    await writeFile(ledger, 'x');
    expect(await archiveLedger(ledger, { now: NOON, archiveDir })).toBe(join(archiveDir, 'daily_20261129.csv'));
  });

  it('copies (never over an existing file) when the archive folder is on another device', async () => {
    const dir = tempDir();
    const ledger = join(dir, 'progress.csv');
    await writeFile(join(dir, 'progress_20261129.csv'), 'older archive');
    await writeFile(ledger, 'today');
    const archived = await archiveLedger(ledger, { now: NOON, ops: new FaultyOps({ op: 'link', code: 'EXDEV', mode: 'persistent' }) });
    expect(archived).toBe(join(dir, 'progress_20261129_1.csv'));
    expect(await readFile(join(dir, 'progress_20261129.csv'), 'utf8')).toBe('older archive');
    expect(await readFile(archived!, 'utf8')).toBe('today');
    expect(await listDir(dir)).toEqual(['progress_20261129.csv', 'progress_20261129_1.csv']);
  });

  it('keeps the ledger where it is when the archive cannot be made', async () => {
    const dir = tempDir();
    const ledger = join(dir, 'progress.csv');
    await writeFile(ledger, 'keep me');
    await expect(archiveLedger(ledger, { now: NOON, ops: new FaultyOps({ op: 'link', code: 'EIO' }) })).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    expect(await readFile(ledger, 'utf8')).toBe('keep me');
  });
});

describe('todaysArchives', () => {
  it('lists this ledger\'s archives of today, in the ledger folder and the archive folder', async () => {
    const dir = tempDir();
    const archiveDir = join(dir, 'archive');
    await mkdir(archiveDir);
    for (const name of ['progress_20261129.csv', 'progress_20261129_2.csv', 'progress_20261129_10.csv', 'progress_20261128.csv', 'other_20261129.csv', 'progress_20261129.csv.bak']) {
      await writeFile(join(dir, name), 'x');
    }
    await writeFile(join(archiveDir, 'progress_20261129_1.csv'), 'x');
    const found = await todaysArchives(join(dir, 'progress.csv'), { now: NOON, archiveDir });
    expect(found).toEqual([
      join(dir, 'progress_20261129.csv'), join(dir, 'progress_20261129_2.csv'), join(dir, 'progress_20261129_10.csv'), join(archiveDir, 'progress_20261129_1.csv'),
    ]);
  });
});

import { chmod, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { StorageError } from '../../src/errors.js';
import { cleanupStaleTemps, writeFileAtomic } from '../../src/ledger/atomic.js';
import type { FileOps } from '../../src/ledger/fileOps.js';
import { FaultyOps } from '../helpers/file-faults.js';
import { bytes, listDir, tempDir } from '../helpers/files.js';
import { deadPid } from '../helpers/locks.js';

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temp file', async () => {
    const dir = tempDir();
    const file = join(dir, 'progress.csv');
    await writeFile(file, 'old');
    await writeFileAtomic(file, 'new content');
    expect((await bytes(file)).toString()).toBe('new content');
    expect(await listDir(dir)).toEqual(['progress.csv']);
  });

  it('creates a missing file with mode 0644 (less the umask) and keeps an existing file\'s mode', async () => {
    const dir = tempDir();
    const file = join(dir, 'progress.csv');
    await writeFileAtomic(file, Buffer.from('a'));
    expect((await stat(file)).mode & 0o777).toBe(0o644 & ~process.umask());
    await chmod(file, 0o600);
    await writeFileAtomic(file, 'b');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  const steps: (keyof FileOps)[] = ['open', 'write', 'fsync', 'close', 'rename'];
  for (const step of steps) {
    for (const code of ['EIO', 'ENOSPC']) {
      it(`keeps the old file byte-identical and removes its temp file when ${step} fails with ${code}`, async () => {
        const dir = tempDir();
        const file = join(dir, 'progress.csv');
        await writeFile(file, 'the old, good ledger\n');
        const error = await writeFileAtomic(file, 'new', new FaultyOps({ op: step, code })).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StorageError);
        expect(((error as StorageError).cause as NodeJS.ErrnoException).code).toBe(code);
        expect((await bytes(file)).toString()).toBe('the old, good ledger\n');
        expect(await listDir(dir)).toEqual(['progress.csv']);
      });
    }
  }

  it('when only the folder sync fails: reports it, and the file is whole (the new bytes), no temp left', async () => {
    const dir = tempDir();
    const file = join(dir, 'progress.csv');
    await writeFile(file, 'old');
    const error = await writeFileAtomic(file, 'new', new FaultyOps({ op: 'fsyncDir' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((await bytes(file)).toString()).toBe('new');
    expect(await listDir(dir)).toEqual(['progress.csv']);
  });

  it('never creates the target when the first write fails', async () => {
    const dir = tempDir();
    const file = join(dir, 'progress.csv');
    await expect(writeFileAtomic(file, 'x', new FaultyOps({ op: 'write', code: 'ENOSPC' }))).rejects.toBeInstanceOf(StorageError);
    expect(await listDir(dir)).toEqual([]);
  });
});

describe('cleanupStaleTemps', () => {
  it('removes temp files of dead writers and old ones, and nothing else', async () => {
    const dir = tempDir();
    const file = join(dir, 'progress.csv');
    const dead = join(dir, `.progress.csv.${deadPid()}.abc123.tmp`);
    const oldButAlive = join(dir, `.progress.csv.${process.ppid}.00ff.tmp`);
    const live = join(dir, `.progress.csv.${process.pid}.beef.tmp`);
    const otherLedger = join(dir, `.other.csv.${deadPid()}.abc.tmp`);
    const notOurs = join(dir, `.progress.csv.${deadPid()}.notes.tmp`);
    for (const f of [file, dead, oldButAlive, live, otherLedger, notOurs]) await writeFile(f, 'x');
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await utimes(oldButAlive, twoMinutesAgo, twoMinutesAgo);
    const removed = await cleanupStaleTemps(file);
    expect(removed.sort()).toEqual([dead, oldButAlive].sort());
    expect(await listDir(dir)).toEqual([live, otherLedger, notOurs, file].map((f) => f.slice(dir.length + 1)).sort());
  });

  it('handles a missing folder', async () => {
    expect(await cleanupStaleTemps(join(tempDir(), 'nope', 'x.csv'))).toEqual([]);
  });
});

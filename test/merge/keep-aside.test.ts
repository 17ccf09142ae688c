import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors.js';
import { realFileOps, type FileOps } from '../../src/ledger/fileOps.js';
import { keepAside } from '../../src/ledger/keep-aside.js';
import { tempDir } from '../helpers/files.js';

const NOW = Date.parse('2026-11-29T22:59:07.250Z');

describe('keeping an edited ledger aside', () => {
  it('writes the exact bytes under a new name beside the ledger, with the time and label in it', async () => {
    const dir = tempDir();
    const ledger = join(dir, 'progress.csv');
    await writeFile(ledger, 'daycap,bytes\n');
    const bytes = Buffer.from('\uFEFFjob_id,status\r\nj1,"unclosed\r\n');
    const path = await keepAside(ledger, bytes, 'refused', { now: NOW });
    expect(basename(path)).toBe('progress.edit-20261129-225907-refused.csv');
    expect((await readFile(path)).equals(bytes)).toBe(true);
    expect(await readFile(ledger, 'utf8')).toBe('daycap,bytes\n');
  });

  it('never writes over anything: -1, -2 when the name is taken', async () => {
    const dir = tempDir();
    const ledger = join(dir, 'progress.csv');
    const taken = join(dir, 'progress.edit-20261129-225907-malformed.csv');
    await writeFile(taken, 'someone else');
    const first = await keepAside(ledger, Buffer.from('one'), 'malformed', { now: NOW });
    const second = await keepAside(ledger, Buffer.from('two'), 'malformed', { now: NOW });
    expect([basename(first), basename(second)]).toEqual(['progress.edit-20261129-225907-malformed-1.csv', 'progress.edit-20261129-225907-malformed-2.csv']);
    expect(await readFile(taken, 'utf8')).toBe('someone else');
    expect(await readFile(first, 'utf8')).toBe('one');
    expect(await readFile(second, 'utf8')).toBe('two');
  });

  it('keeps the label to safe file-name characters, and works without the ledger present', async () => {
    const dir = tempDir();
    const path = await keepAside(join(dir, 'ledger'), Buffer.from('x'), '../../etc/passwd ok', { now: NOW });
    expect(basename(path)).toBe('ledger.edit-20261129-225907-etc-passwd-ok.csv');
    expect(await readdir(dir)).toEqual([basename(path)]);
  });

  it("gives the copy the ledger's permissions", async () => {
    const dir = tempDir();
    const ledger = join(dir, 'progress.csv');
    await writeFile(ledger, 'x');
    await chmod(ledger, 0o600);
    const path = await keepAside(ledger, Buffer.from('y'), 'refused', { now: NOW });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('fsyncs the copy and its folder, and on a failed write removes only its own partial copy', async () => {
    const dir = tempDir();
    const ledger = join(dir, 'progress.csv');
    const calls: string[] = [];
    const traced: FileOps = {
      ...realFileOps,
      fsync: async (h) => { calls.push('fsync'); await realFileOps.fsync(h); },
      fsyncDir: async (d) => { calls.push(`fsyncDir ${d === dir}`); await realFileOps.fsyncDir(d); },
    };
    await keepAside(ledger, Buffer.from('ok'), 'refused', { now: NOW, ops: traced });
    expect(calls).toEqual(['fsync', 'fsyncDir true']);

    const failing: FileOps = { ...realFileOps, write: async () => { throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }); } };
    await expect(keepAside(ledger, Buffer.from('lost?'), 'refused', { now: NOW + 1000, ops: failing })).rejects.toBeInstanceOf(StorageError);
    expect(await readdir(dir)).toEqual(['progress.edit-20261129-225907-refused.csv']);
  });
});

/**
 * The file calls whose failure matters for durability, behind one interface so that tests can make
 * any single call fail (EIO, ENOSPC) and check that nothing is lost or falsely reported as saved.
 */
import { constants } from 'node:fs';
import { copyFile, link, open, readFile, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';

export interface FileOps {
  open(path: string, flags: string, mode?: number): Promise<FileHandle>;
  /** Writes every byte (looping over short writes) at the handle's position or, in append mode, at the end. */
  write(handle: FileHandle, data: Uint8Array): Promise<void>;
  fsync(handle: FileHandle): Promise<void>;
  fdatasync(handle: FileHandle): Promise<void>;
  close(handle: FileHandle): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Fails with EEXIST rather than replace `to`: the way to move a file without ever overwriting. */
  link(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Makes a folder's entries (created, renamed, removed files) durable. */
  fsyncDir(dir: string): Promise<void>;
  /** Copies without ever replacing `to` (COPYFILE_EXCL). */
  copyFileExclusive(from: string, to: string): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  readdir(dir: string): Promise<string[]>;
  stat(path: string): Promise<Stats>;
}

export const realFileOps: FileOps = {
  open: (path, flags, mode) => open(path, flags, mode),
  async write(handle, data) {
    for (let done = 0; done < data.length;) {
      const { bytesWritten } = await handle.write(data, done, data.length - done, null);
      done += bytesWritten;
    }
  },
  fsync: (handle) => handle.sync(),
  fdatasync: (handle) => handle.datasync(),
  close: (handle) => handle.close(),
  rename: (from, to) => rename(from, to),
  link: (from, to) => link(from, to),
  unlink: (path) => unlink(path),
  async fsyncDir(dir) {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } catch (err) {
      // Some filesystems cannot sync a folder at all; there is nothing better to do there.
      if (errorCode(err) !== 'EINVAL') throw err;
    } finally {
      await handle.close();
    }
  },
  copyFileExclusive: (from, to) => copyFile(from, to, constants.COPYFILE_EXCL),
  readFile: (path) => readFile(path),
  readdir: (dir) => readdir(dir),
  stat: (path) => stat(path),
};

export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

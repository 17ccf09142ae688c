/**
 * Replacing a file so that a crash at any instant leaves either the old bytes or the new bytes,
 * never a mix, a truncation or nothing (G4).
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

import { storageFailure } from '../errors.js';
import { errorCode, realFileOps, type FileOps } from './fileOps.js';
import { escapeRegExp } from './regexp.js';
import { isPidAlive } from './pid.js';

export { realFileOps, type FileOps } from './fileOps.js';

/** A temp file older than this is left-over even if its pid now names some other live process. */
const STALE_TEMP_MS = 60_000;

function tempName(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes `data` to a new temp file in the target's folder (rename is only atomic within one
 * filesystem), fsyncs it, renames it over the target and fsyncs the folder. On failure only the temp
 * file is removed; the target keeps its old bytes (or, if only the folder sync failed, the new ones).
 */
export async function writeFileAtomic(path: string, data: string | Buffer | Iterable<string | Buffer>, ops: FileOps = realFileOps): Promise<void> {
  // Large files come as chunks, so a 100,000-row snapshot never sits in memory whole.
  const chunks: Iterable<string | Buffer> = typeof data === 'string' || Buffer.isBuffer(data) ? [data] : data;
  const temp = tempName(path);
  let mode: number | undefined;
  try {
    mode = (await ops.stat(path)).mode & 0o7777;
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw storageFailure(`could not write ${path}`, err);
  }
  let created = false;
  let renamed = false;
  let handle: Awaited<ReturnType<FileOps['open']>> | undefined;
  try {
    handle = await ops.open(temp, 'wx', mode ?? 0o644);
    created = true;
    // The umask narrowed the mode at creation; an existing ledger keeps exactly the mode it had.
    if (mode !== undefined) await handle.chmod(mode);
    for (const chunk of chunks) await ops.write(handle, typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    await ops.fsync(handle);
    const closing = handle;
    handle = undefined;
    await ops.close(closing);
    await ops.rename(temp, path);
    renamed = true;
    await ops.fsyncDir(dirname(path));
  } catch (err) {
    if (handle) await ops.close(handle).catch(() => undefined);
    if (created && !renamed) await ops.unlink(temp).catch(() => undefined);
    throw storageFailure(`could not write ${path}`, err);
  }
}

export async function fsyncDir(dir: string, ops: FileOps = realFileOps): Promise<void> {
  await ops.fsyncDir(dir);
}

/**
 * Removes temp files left by writes that were killed midway, for this target only: exactly our
 * pattern, and only when the writing process is gone or the file is over a minute old (a live
 * writer finishes in far less). Returns the removed paths. Never reads them.
 */
export async function cleanupStaleTemps(path: string, options: { now?: number; ops?: FileOps } = {}): Promise<string[]> {
  const ops = options.ops ?? realFileOps;
  const now = options.now ?? Date.now();
  const dir = dirname(path);
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(path))}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
  let names: string[];
  try {
    names = await ops.readdir(dir);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return [];
    throw err;
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = pattern.exec(name);
    if (!match) continue;
    const full = join(dir, name);
    const pid = Number(match[1]);
    try {
      const info = await ops.stat(full);
      if (!info.isFile()) continue;
      const abandoned = !isPidAlive(pid) || now - info.mtimeMs > STALE_TEMP_MS;
      if (!abandoned) continue;
      await ops.unlink(full);
      removed.push(full);
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') throw err;
    }
  }
  if (removed.length > 0) await ops.fsyncDir(dir);
  return removed;
}

/**
 * Keeping an operator's edited ledger under a new name (G7): when an edit is refused, in part or
 * whole, or does not parse, the next snapshot will replace the file, so its bytes are first saved
 * next to the ledger where the operator will see them. Never over anything (G4).
 */
import { basename, dirname, extname, join } from 'node:path';

import { StorageError, storageFailure } from '../errors.js';
import { errorCode, realFileOps, type FileOps } from './fileOps.js';

export interface KeepAsideOptions {
  /** Clock for the name (epoch ms); default Date.now(). */
  now?: number;
  ops?: FileOps;
}

/** Tries `-1`, `-2`, ... after the plain name; this many names taken in one second is a bug. */
const MAX_SUFFIX = 999;

/**
 * Writes `bytes` to `<stem>.edit-<YYYYMMDD-HHMMSS>-<label><ext>` beside the ledger (UTC time;
 * `-1`, `-2`, ... before the extension when taken), created exclusively and fsync'd with its folder.
 * Returns the path. Throws StorageError if it cannot; a partial copy it made itself is removed.
 */
export async function keepAside(ledgerPath: string, bytes: Uint8Array, label: string, options: KeepAsideOptions = {}): Promise<string> {
  const ops = options.ops ?? realFileOps;
  const dir = dirname(ledgerPath);
  const name = basename(ledgerPath);
  const ext = extname(name);
  const stem = ext ? name.slice(0, -ext.length) : name;
  const tag = `${stem}.edit-${stamp(options.now ?? Date.now())}-${safeLabel(label)}`;
  let mode = 0o644;
  try {
    mode = (await ops.stat(ledgerPath)).mode & 0o777;
  } catch {
    // Mid-rename or gone: the default will do.
  }
  for (let n = 0; n <= MAX_SUFFIX; n++) {
    const path = join(dir, `${tag}${n === 0 ? '' : `-${n}`}${ext || '.csv'}`);
    let handle: Awaited<ReturnType<FileOps['open']>>;
    try {
      handle = await ops.open(path, 'wx', mode);
    } catch (err) {
      if (errorCode(err) === 'EEXIST') continue;
      throw storageFailure(`could not keep the edited ledger aside as ${path}`, err);
    }
    try {
      await ops.write(handle, bytes);
      await ops.fsync(handle);
    } catch (err) {
      await ops.close(handle).catch(() => undefined);
      await ops.unlink(path).catch(() => undefined);
      throw storageFailure(`could not keep the edited ledger aside as ${path}`, err);
    }
    try {
      await ops.close(handle);
      await ops.fsyncDir(dir);
    } catch (err) {
      throw storageFailure(`kept the edited ledger aside as ${path}, but could not make it durable`, err);
    }
    return path;
  }
  throw new StorageError(`could not keep the edited ledger aside: ${MAX_SUFFIX + 1} names starting ${join(dir, tag)} are taken`);
}

function stamp(epochMs: number): string {
  const iso = new Date(epochMs).toISOString(); // 2026-11-29T20:15:03.123Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** A label becomes part of a file name: letters, digits, '-' and '_' only, and never empty. */
function safeLabel(label: string): string {
  const clean = label.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return clean || 'edit';
}

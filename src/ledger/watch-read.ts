/**
 * Reading a ledger that an editor may be replacing at that very moment: renamed over (a new inode),
 * truncated and being written (`cat >`), or gone for an instant between two renames.
 */
import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';

/** Why a look did not get the file whole; each is looked at again later, none is an edit. */
export type UnreadOutcome =
  | 'missing' // gone or unreadable (mid-rename): looked at again on the next event or poll
  | 'empty' // truncated, not yet written (`cat >`): looked at again on the next event or poll
  | 'unsettled'; // changed while being read: looked at again after a settle

export type SettledRead = { outcome: UnreadOutcome } | { outcome: 'read'; bytes: Buffer };

/** The file's bytes, if it held still while it was read: the same file, unchanged, before and after. */
export async function readSettled(path: string): Promise<SettledRead> {
  const before = await statOrUndefined(path);
  if (!before?.isFile()) return { outcome: 'missing' };
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return { outcome: 'missing' };
  }
  const after = await statOrUndefined(path);
  if (!after || !sameFile(before, after) || after.size !== bytes.length) return { outcome: 'unsettled' };
  if (bytes.length === 0) return { outcome: 'empty' };
  return { outcome: 'read', bytes };
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

/** The same file, unchanged: a rename puts a new inode there, a write moves size or mtime. */
function sameFile(a: Stats, b: Stats): boolean {
  return a.ino === b.ino && a.dev === b.dev && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

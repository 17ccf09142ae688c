/** Moving a finished (or recovered) journal into journals/, where it is kept for good (G4). */
import { dirname, join } from 'node:path';

import { storageFailure } from '../errors.js';
import { errorCode, realFileOps, type FileOps } from './fileOps.js';
import { readJournal, type TornTail } from './journalRead.js';
import { ensureSealedJournalsDir, journalPath } from './paths.js';

export interface SealOptions {
  ops?: FileOps;
  now?: number;
  /** The torn tail, when the caller has just read the journal. */
  tornTail?: TornTail | undefined;
  /** The caller knows the journal ends cleanly (it wrote every byte itself); skips re-reading it. */
  intact?: boolean;
}

/**
 * Renames the active journal to `journals/<ISO time>-<runLabel>.jsonl` (suffix -1, -2… when taken)
 * and returns that path, or undefined when there is no active journal. A torn tail's bytes are
 * also copied to `<same name>.torn` so an operator can see what was set aside.
 */
export async function sealJournal(ledgerPath: string, runLabel: string, options: SealOptions = {}): Promise<string | undefined> {
  const ops = options.ops ?? realFileOps;
  const source = journalPath(ledgerPath);
  try {
    await ops.stat(source);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  let tornTail = options.tornTail;
  if (!tornTail && !options.intact) {
    // A journal damaged in the middle is still sealed, whole and unchanged.
    tornTail = (await readJournal(source, ops).catch(() => undefined))?.tornTail;
  }
  try {
    const dir = await ensureSealedJournalsDir(ledgerPath, ops);
    const stamp = new Date(options.now ?? Date.now()).toISOString().replaceAll(':', '-');
    const label = runLabel.replace(/[^A-Za-z0-9._-]/g, '_') || 'run';
    for (let n = 0; ; n++) {
      const name = `${stamp}-${label}${n === 0 ? '' : `-${n}`}`;
      const target = join(dir, `${name}.jsonl`);
      try {
        // link, unlike rename, refuses to replace an existing journal.
        await ops.link(source, target);
      } catch (err) {
        if (errorCode(err) === 'EEXIST') continue;
        throw err;
      }
      if (tornTail) await saveTornTail(source, join(dir, `${name}.torn`), tornTail, ops);
      await ops.fsyncDir(dir);
      await ops.unlink(source);
      await ops.fsyncDir(dirname(source));
      return target;
    }
  } catch (err) {
    throw storageFailure(`could not seal journal ${source}`, err);
  }
}

async function saveTornTail(source: string, target: string, tail: TornTail, ops: FileOps): Promise<void> {
  const bytes = (await ops.readFile(source)).subarray(tail.offset, tail.offset + tail.length);
  let handle;
  try {
    handle = await ops.open(target, 'wx', 0o600);
  } catch (err) {
    // Left by an earlier attempt to seal this same journal: the bytes are already kept.
    if (errorCode(err) === 'EEXIST') return;
    throw err;
  }
  try {
    await ops.write(handle, bytes);
    await ops.fsync(handle);
  } finally {
    await ops.close(handle);
  }
}

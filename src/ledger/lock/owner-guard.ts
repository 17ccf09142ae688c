/**
 * The write guard: a holder's file layer checks, synchronously and right before each call that
 * changes a file, that the lock is still its own. It is the one place the lock is checked on the
 * way to the disk: the store writes only through guarded file operations.
 *
 * proper-lockfile notices a lost lock only at its next refresh, asynchronously, up to `update` ms
 * after this process runs again (after a SIGSTOP, a suspend, a long stall), and work queued while
 * it was stopped runs first. Found by the SIGSTOP test in test/faults/lock.test.ts: a holder
 * continued after another process had taken its stale lock over went on appending to the journal
 * (by then sealed by the new holder) for as long as proper-lockfile took to notice. So the check
 * also looks at owner.json, which a new holder replaces by rename: if the file there is no longer
 * the one we wrote (OwnerMark), another process took the lock over and may be writing the ledger.
 */
import { statSync } from 'node:fs';

import type { FileOps } from '../fileOps.js';
import { ownerPath } from '../paths.js';
import { describeOwner, readOwnerSync, removeOwner, writeOwner, type Owner } from './owner.js';

/** What the guard asks of a lock: throws (LOCK_COMPROMISED) once it is no longer held. */
export interface HeldCheck {
  assertHeld(): void;
}

/** Reads go through as they are; every call that creates, changes or removes a file checks first. */
export function guardWrites(ops: FileOps, lock: HeldCheck): FileOps {
  const guard = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => (...args: A): Promise<R> => {
    try {
      lock.assertHeld();
    } catch (err) {
      return Promise.reject(err);
    }
    return call(...args);
  };
  return {
    ...ops,
    open: (path, flags, mode) => (flags === 'r' ? ops.open(path, flags, mode) : guard(ops.open.bind(ops))(path, flags, mode)),
    write: guard(ops.write.bind(ops)),
    rename: guard(ops.rename.bind(ops)),
    link: guard(ops.link.bind(ops)),
    unlink: guard(ops.unlink.bind(ops)),
    copyFileExclusive: guard(ops.copyFileExclusive.bind(ops)),
  };
}

/**
 * The owner.json this process wrote, told from the next holder's by its file identity: a new holder
 * replaces the file by rename, so the path then names another inode (created while ours still
 * existed, so never the same number).
 */
export class OwnerMark {
  private constructor(private readonly ledgerPath: string, private readonly identity: FileIdentity | undefined) {}

  static async write(ledgerPath: string, owner: Owner): Promise<OwnerMark> {
    await writeOwner(ledgerPath, owner);
    return new OwnerMark(ledgerPath, fileIdentity(ownerPath(ledgerPath)));
  }

  /** Synchronous, for the guard: owner.json is still the file we wrote. False when that cannot be told. */
  isOurs(): boolean {
    try {
      return sameIdentity(this.identity, fileIdentity(ownerPath(this.ledgerPath)));
    } catch {
      return false; // cannot tell: assume the worst
    }
  }

  /** Who holds the lock now by owner.json, for the message; undefined when it is gone or unreadable. */
  holderNow(): string | undefined {
    const owner = readOwnerSync(this.ledgerPath);
    return owner && describeOwner(owner);
  }

  /** Only the file we wrote: one that replaced it belongs to a holder that took the lock over. */
  async removeIfOurs(): Promise<void> {
    if (this.isOurs()) await removeOwner(this.ledgerPath).catch(() => undefined);
  }
}

interface FileIdentity {
  ino: bigint;
  mtimeNs: bigint;
  size: bigint;
}

function fileIdentity(path: string): FileIdentity | undefined {
  const info = statSync(path, { bigint: true, throwIfNoEntry: false });
  return info && { ino: info.ino, mtimeNs: info.mtimeNs, size: info.size };
}

function sameIdentity(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
  return a !== undefined && b !== undefined && a.ino === b.ino && a.mtimeNs === b.mtimeNs && a.size === b.size;
}

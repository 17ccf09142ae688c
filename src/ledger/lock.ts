/**
 * One mutating process per ledger (G6): a proper-lockfile lock directory `<ledger>.lock`, kept fresh
 * by proper-lockfile and taken over once it goes stale (its holder died), plus owner.json to say who
 * holds it.
 */
import { stat, utimes } from 'node:fs/promises';

import lockfile from 'proper-lockfile';

import { DaycapError, LockHeldError, StorageError } from '../errors.js';
import { errorCode, errorMessage } from './fileOps.js';
import { currentOwner, describeOwner, ownerIsDead, readOwner, removeOwner, writeOwner } from './owner.js';
import { lockPath } from './paths.js';

export const DEFAULT_STALE_MS = 20_000;

export interface LockOptions {
  /** As the operator typed it, e.g. 'daycap run'; shown to whoever finds the ledger locked. */
  command: string;
  /** Called once if the lock is lost (it went stale, or someone removed or took it). */
  onCompromised?: (err: Error) => void;
  staleMs?: number;
  /** Clock for owner.json's start time; injected by tests. */
  now?: () => number;
}

export interface LedgerLock {
  readonly ledgerPath: string;
  /** Set once the lock was lost; from then on nothing may be written. */
  readonly compromised: boolean;
  /** When this lock replaced a stale one: who held it (for the operator). */
  readonly tookOverFrom?: string;
  /** Throws DaycapError 'LOCK_COMPROMISED' once the lock is lost (and 'LOCK_RELEASED' after release). */
  assertHeld(): void;
  /** Idempotent. */
  release(): Promise<void>;
}

export async function acquireLedgerLock(ledgerPath: string, opts: LockOptions): Promise<LedgerLock> {
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
  const before = await previousLock(ledgerPath, staleMs);
  if (before?.holderDead) {
    // Its holder is provably gone (same host, no such process): age the lock so it is taken over
    // now instead of after the stale time. A stopped (SIGSTOP) holder is alive and keeps it.
    const longAgo = new Date(Date.now() - 10 * staleMs);
    await utimes(lockPath(ledgerPath), longAgo, longAgo).catch(() => undefined);
  }
  const held = new HeldLock(ledgerPath, opts.onCompromised);
  let unlock: () => Promise<void>;
  try {
    unlock = await lockfile.lock(ledgerPath, {
      realpath: false,
      lockfilePath: lockPath(ledgerPath),
      stale: staleMs,
      update: Math.max(1000, Math.floor(staleMs / 4)),
      retries: 0,
      onCompromised: (err) => held.markCompromised(err),
    });
  } catch (err) {
    if (errorCode(err) === 'ELOCKED') {
      const owner = await readOwner(ledgerPath);
      throw new LockHeldError(ledgerPath, owner && !ownerIsDead(owner) ? describeOwner(owner) : 'another process', { cause: err });
    }
    throw new StorageError(`could not lock ledger ${ledgerPath}: ${errorMessage(err)}`, { cause: err });
  }
  held.unlock = unlock;
  if (before?.abandoned) held.tookOverFrom = before.holder;
  try {
    await writeOwner(ledgerPath, currentOwner(opts.command, (opts.now ?? Date.now)()));
  } catch (err) {
    await held.release().catch(() => undefined);
    throw err;
  }
  return held;
}

/** What was there before we tried: a lock left by a dead or stuck holder is about to be taken over. */
async function previousLock(ledgerPath: string, staleMs: number): Promise<{ abandoned: boolean; holderDead: boolean; holder: string } | undefined> {
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(lockPath(ledgerPath))).mtimeMs;
  } catch {
    return undefined;
  }
  const owner = await readOwner(ledgerPath);
  const stale = mtimeMs < Date.now() - staleMs;
  const holderDead = owner !== undefined && ownerIsDead(owner);
  return {
    abandoned: stale || holderDead,
    holderDead,
    holder: owner ? `${describeOwner(owner)}, which stopped without releasing it` : 'a process that stopped without releasing it',
  };
}

class HeldLock implements LedgerLock {
  compromised = false;
  tookOverFrom?: string;
  unlock: (() => Promise<void>) | undefined;
  private released = false;
  private releasing: Promise<void> | undefined;

  constructor(readonly ledgerPath: string, private readonly onCompromised: ((err: Error) => void) | undefined) {}

  markCompromised(err: Error): void {
    if (this.compromised || this.released) return;
    this.compromised = true;
    this.onCompromised?.(err);
  }

  assertHeld(): void {
    if (this.compromised) {
      throw new DaycapError('LOCK_COMPROMISED', `the lock on ledger ${this.ledgerPath} was lost; nothing more is written`, {
        exitCode: 3,
        hint: 'The lock went stale (was the machine suspended or the disk stalled?) or was removed, so another process may now own the ledger. Check `daycap status` before running again.',
      });
    }
    if (this.released) throw new DaycapError('LOCK_RELEASED', `the lock on ledger ${this.ledgerPath} was already released`, { operatorError: false });
  }

  release(): Promise<void> {
    this.releasing ??= this.doRelease();
    return this.releasing;
  }

  private async doRelease(): Promise<void> {
    const wasCompromised = this.compromised;
    this.released = true;
    // A lost lock may belong to someone else by now: leave their lock and owner.json alone.
    if (wasCompromised || !this.unlock) return;
    await removeOwner(this.ledgerPath).catch(() => undefined);
    try {
      await this.unlock();
    } catch (err) {
      const code = errorCode(err);
      if (code !== 'ERELEASED' && code !== 'ENOTACQUIRED') throw err;
    }
  }
}

/** Who holds the ledger now, for read-only commands; undefined when nobody (or only a stale lock). */
export async function readLockHolder(ledgerPath: string, staleMs: number = DEFAULT_STALE_MS): Promise<string | undefined> {
  const locked = await lockfile.check(ledgerPath, { realpath: false, lockfilePath: lockPath(ledgerPath), stale: staleMs });
  if (!locked) return undefined;
  const owner = await readOwner(ledgerPath);
  return owner ? describeOwner(owner) : 'another process';
}

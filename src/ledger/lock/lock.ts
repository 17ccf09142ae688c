/**
 * One mutating process per ledger (G6). Taking the lock composes four pieces:
 * - the gate (gate.ts): taking, inspecting and taking over happen one process at a time;
 * - take-over (takeover.ts): a lock left by a dead or silent holder is removed, inside the gate;
 * - owner.json (owner.ts), written before the lock is taken, to say who holds it;
 * - proper-lockfile's lock directory `<ledger>.lock`, kept fresh while held. It never removes a
 *   lock by itself (its stat-then-rmdir lets two processes take over one stale lock together).
 * Once held, the owner guard (owner-guard.ts) checks before every write that it is still ours.
 */
import lockfile from 'proper-lockfile';

import { LockHeldError, storageFailure } from '../../errors.js';
import { errorCode } from '../fileOps.js';
import { lockPath } from '../paths.js';
import { enterGate } from './gate.js';
import { HeldLock, type LedgerLock } from './held.js';
import { OwnerMark } from './owner-guard.js';
import { currentOwner, describeOwner, readOwner } from './owner.js';
import { awaitOwner, previousLock, removeAbandoned } from './takeover.js';

/** How long a lock may go without a refresh before it counts as abandoned, when the caller gives no time. */
export const DEFAULT_STALE_MS = 20_000;

export interface LockTiming {
  /**
   * Milliseconds without a refresh after which a lock is taken over (default DEFAULT_STALE_MS). A
   * holder known dead on this host is taken over at once. The CLI reads it from DAYCAP_LOCK_STALE_MS.
   */
  staleMs?: number | undefined;
}

export interface LockOptions extends LockTiming {
  /** As the operator typed it, e.g. 'daycap run'; shown to whoever finds the ledger locked. */
  command: string;
  /** Called once if the lock is lost (it went stale, or someone removed or took it). */
  onCompromised?: (err: Error) => void;
  /** Clock for owner.json's start time; injected by tests. */
  now?: () => number;
}

const NEVER_STALE_MS = 2 ** 40;
/** How often (25 ms apart) to look again at a lock whose holder is releasing it. */
const RELEASE_RETRIES = 40;

/**
 * Takes the ledger's lock, taking over one left by a dead or silent holder (`tookOverFrom` says
 * whose). LockHeldError (exit 3, naming the holder) while a live holder has it.
 */
export async function acquireLedgerLock(ledgerPath: string, opts: LockOptions): Promise<LedgerLock> {
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 25));
    const gate = await enterGate(ledgerPath);
    try {
      const held = await acquireInsideGate(ledgerPath, opts, staleMs, attempt < RELEASE_RETRIES);
      if (held) return held;
    } finally {
      await gate.leave();
    }
  }
}

/** The lock, or undefined when its holder is letting go and `mayWait`: look again shortly. */
async function acquireInsideGate(ledgerPath: string, opts: LockOptions, staleMs: number, mayWait: boolean): Promise<HeldLock | undefined> {
  const held = new HeldLock(ledgerPath, opts.onCompromised);
  try {
    const before = await previousLock(ledgerPath, staleMs);
    if (before && !before.abandoned) {
      // Its holder is letting go (owner.json is removed just before the lock): try again shortly.
      if (!before.owner && mayWait) return undefined;
      throw new LockHeldError(ledgerPath, before.owner ? describeOwner(before.owner) : 'another process');
    }
    if (before) {
      await removeAbandoned(ledgerPath);
      held.tookOverFrom = before.holder;
    }
    // Named before the lock is taken, inside the gate. A process killed between the two then leaves
    // either a lock whose owner is provably dead (taken over at once) or no lock at all; the other
    // order left a lock without an owner, which nobody could prove abandoned until it went stale
    // (found by the crash torture: a SIGKILL in that window made the next run exit 3).
    held.owner = await OwnerMark.write(ledgerPath, currentOwner(opts.command, (opts.now ?? Date.now)()));
    held.unlock = await lockDirectory(held, staleMs);
    return held;
  } catch (err) {
    await held.release().catch(() => undefined);
    throw storageFailure(`could not lock ledger ${ledgerPath}`, err);
  }
}

/** proper-lockfile's lock directory, kept fresh while held; on failure our owner.json goes again. */
async function lockDirectory(held: HeldLock, staleMs: number): Promise<() => Promise<void>> {
  const { ledgerPath } = held;
  try {
    return await lockfile.lock(ledgerPath, {
      realpath: false,
      lockfilePath: lockPath(ledgerPath),
      stale: NEVER_STALE_MS, // the gate decides what is stale, not proper-lockfile
      update: Math.max(1000, Math.floor(staleMs / 4)),
      retries: 0,
      onCompromised: (err) => held.markCompromised(err),
    });
  } catch (err) {
    await held.owner?.removeIfOurs();
    held.owner = undefined;
    if (errorCode(err) !== 'ELOCKED') throw err;
    // Taken outside the gate (by an older daycap) since we looked.
    const owner = await awaitOwner(ledgerPath);
    throw new LockHeldError(ledgerPath, owner ? describeOwner(owner) : 'another process', { cause: err });
  }
}

/** Who holds the ledger now, for read-only commands; undefined when nobody (or only a stale lock). */
export async function readLockHolder(ledgerPath: string, staleMs: number = DEFAULT_STALE_MS): Promise<string | undefined> {
  const locked = await lockfile.check(ledgerPath, { realpath: false, lockfilePath: lockPath(ledgerPath), stale: staleMs });
  if (!locked) return undefined;
  const owner = await readOwner(ledgerPath);
  return owner ? describeOwner(owner) : 'another process';
}

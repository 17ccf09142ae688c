/**
 * Taking over a lock whose holder is gone. A lock is abandoned when it went stale (not refreshed for
 * `staleMs`: its holder died, or is stopped or unreachable), or at once when owner.json names a
 * process on this host that no longer exists. A stopped (SIGSTOP) holder is alive and keeps its lock
 * until it goes stale; a holder on another host is never presumed dead. Everything here runs inside
 * the gate (gate.ts), so the lock removed is the abandoned one, never a lock just taken by another.
 */
import { rmdir, stat } from 'node:fs/promises';

import { errorCode } from '../fileOps.js';
import { lockPath } from '../paths.js';
import { describeOwner, ownerIsDead, readOwner, type Owner } from './owner.js';

export interface PreviousLock {
  abandoned: boolean;
  owner: Owner | undefined;
  /** Who held it, as the operator is told after taking it over. */
  holder: string;
}

/** The lock there before we take it; undefined when there is none. */
export async function previousLock(ledgerPath: string, staleMs: number): Promise<PreviousLock | undefined> {
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
    owner,
    holder: owner ? `${describeOwner(owner)}, which stopped without releasing it` : 'a process that stopped without releasing it',
  };
}

/** Removes an abandoned lock directory (only from inside the gate). */
export async function removeAbandoned(ledgerPath: string): Promise<void> {
  await rmdir(lockPath(ledgerPath)).catch((err: unknown) => {
    if (errorCode(err) !== 'ENOENT') throw err;
  });
}

/**
 * A lock taken outside the gate (by an older daycap, which took the lock first and wrote owner.json
 * just after) may show no owner yet, or the dead one before it. Wait a little for the new holder to
 * name itself, so that the refusal can.
 */
const OWNER_WAIT_MS = 5000;

export async function awaitOwner(ledgerPath: string): Promise<Owner | undefined> {
  for (const until = Date.now() + OWNER_WAIT_MS; ;) {
    const owner = await readOwner(ledgerPath);
    if (owner && !ownerIsDead(owner)) return owner;
    if (Date.now() >= until) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

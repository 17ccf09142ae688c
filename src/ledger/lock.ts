/**
 * One mutating process per ledger (G6): a proper-lockfile lock directory `<ledger>.lock`, kept fresh
 * by proper-lockfile and taken over once it goes stale (its holder died), plus owner.json to say who
 * holds it. Taking and taking over go through a short-lived gate (see enterGate), and a holder checks
 * owner.json before each write (see guardWrites), so that at most one process writes at a time.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { link, readFile, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

import lockfile from 'proper-lockfile';

import { DaycapError, LockHeldError, StorageError } from '../errors.js';
import { errorCode, errorMessage, type FileOps } from './fileOps.js';
import { currentOwner, describeOwner, ownerIsDead, readOwner, removeOwner, writeOwner, parseOwner, type Owner } from './owner.js';
import { ensureStateDir, lockPath, ownerPath } from './paths.js';
import { isPidAlive } from './pid.js';

export const DEFAULT_STALE_MS = 20_000;

/**
 * The stale time when the caller gives none: DAYCAP_LOCK_STALE_MS (whole milliseconds, at least 1)
 * if set, else DEFAULT_STALE_MS. The only place the variable is read. It exists so that tests (and an
 * operator on a host with unusual pauses) can shorten or lengthen the wait before a lock left by a
 * stopped or unreachable holder is taken over; a holder known dead on this host is taken over at once.
 */
export function defaultStaleMs(): number {
  const raw = process.env['DAYCAP_LOCK_STALE_MS'];
  if (raw === undefined || raw === '') return DEFAULT_STALE_MS;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new DaycapError('BAD_LOCK_STALE_MS', `DAYCAP_LOCK_STALE_MS must be a whole number of milliseconds, at least 1, not ${JSON.stringify(raw)}`, { exitCode: 2 });
  }
  return value;
}

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
  const staleMs = opts.staleMs ?? defaultStaleMs();
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 25));
    const gate = await enterGate(ledgerPath);
    const held = new HeldLock(ledgerPath, opts.onCompromised);
    try {
      const before = await previousLock(ledgerPath, staleMs);
      if (before && !before.abandoned) {
        // Its holder is letting go (owner.json is removed just before the lock): try again shortly.
        if (!before.owner && attempt < RELEASE_RETRIES) continue;
        throw new LockHeldError(ledgerPath, before.owner ? describeOwner(before.owner) : 'another process');
      }
      if (before) {
        // Stale, or its holder is provably gone (same host, no such process: taken over now rather than
        // after the stale time; a stopped (SIGSTOP) holder is alive and keeps it until it goes stale).
        // Only a process inside the gate removes a lock, so this is the abandoned one, not a new one.
        await rmdir(lockPath(ledgerPath)).catch((err: unknown) => {
          if (errorCode(err) !== 'ENOENT') throw err;
        });
        held.tookOverFrom = before.holder;
      }
      // Named before the lock is taken, inside the gate. A process killed between the two then leaves
      // either a lock whose owner is provably dead (taken over at once) or no lock at all; the other
      // order left a lock without an owner, which nobody could prove abandoned until it went stale
      // (found by the crash torture: a SIGKILL in that window made the next run exit 3).
      await writeOwner(ledgerPath, currentOwner(opts.command, (opts.now ?? Date.now)()));
      held.ownerFile = fileIdentity(ownerPath(ledgerPath));
      let unlock: () => Promise<void>;
      try {
        unlock = await lockfile.lock(ledgerPath, {
          realpath: false,
          lockfilePath: lockPath(ledgerPath),
          // proper-lockfile never removes a lock by itself (its stat-then-rmdir lets two processes take
          // over one stale lock together); the gate above decides. It still keeps ours fresh.
          stale: NEVER_STALE_MS,
          update: Math.max(1000, Math.floor(staleMs / 4)),
          retries: 0,
          onCompromised: (err) => held.markCompromised(err),
        });
      } catch (err) {
        if (sameIdentity(held.ownerFile, fileIdentity(ownerPath(ledgerPath)))) await removeOwner(ledgerPath).catch(() => undefined);
        held.ownerFile = undefined;
        if (errorCode(err) === 'ELOCKED') {
          // Taken outside the gate (by an older daycap) since we looked.
          const owner = await awaitOwner(ledgerPath);
          throw new LockHeldError(ledgerPath, owner ? describeOwner(owner) : 'another process', { cause: err });
        }
        throw err;
      }
      held.unlock = unlock;
      return held;
    } catch (err) {
      await held.release().catch(() => undefined);
      if (err instanceof DaycapError) throw err;
      throw new StorageError(`could not lock ledger ${ledgerPath}: ${errorMessage(err)}`, { cause: err });
    } finally {
      await gate.leave();
    }
  }
}

const NEVER_STALE_MS = 2 ** 40;
/** How often (25 ms apart) to look again at a lock whose holder is releasing it. */
const RELEASE_RETRIES = 40;

/**
 * Taking, inspecting and taking over the lock happen one process at a time, behind a gate: a file
 * created exclusively in the state folder, held for the few milliseconds that takes. Without it, two
 * processes that both see a stale lock both remove "it" — the second removes the first one's new lock
 * — and both run (found by test/faults/lock.test.ts: 20 runners racing after a SIGKILL). A gate
 * left by a process that died inside it is removed when its pid is gone, or after GATE_STALE_MS.
 */
const GATE_STALE_MS = 10_000;
const EMPTY_GATE_STALE_MS = 2000;
const GATE_WAIT_MS = 120_000;

async function enterGate(ledgerPath: string): Promise<{ leave(): Promise<void> }> {
  const gate = join(await ensureStateDir(ledgerPath), 'lock.gate');
  const me = `${process.pid} ${hostname()}`;
  for (const deadline = Date.now() + GATE_WAIT_MS; ;) {
    try {
      await writeFile(gate, me, { flag: 'wx', mode: 0o600 });
      const mine = await stat(gate).then((info) => info.ino, () => undefined);
      let left = false;
      return {
        async leave() {
          if (left) return;
          left = true;
          // Ours only: held past GATE_STALE_MS (stopped?), it may have been cleared and taken since.
          const now = await stat(gate).then((info) => info.ino, () => undefined);
          if (now !== undefined && now === mine) await unlink(gate).catch(() => undefined);
        },
      };
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw new StorageError(`could not lock ledger ${ledgerPath}: ${errorMessage(err)}`, { cause: err });
    }
    const abandoned = await gateAbandoned(gate);
    if (abandoned !== undefined) {
      // Renamed away, then checked: if another process cleared the dead gate and made its own in the
      // meantime, that is what we moved, so it is put back (link: never over a newer one).
      const aside = `${gate}.${process.pid}.${randomBytes(4).toString('hex')}.dead`;
      if (await rename(gate, aside).then(() => true, () => false)) {
        const moved = await stat(aside).then((info) => info.ino, () => undefined);
        if (moved !== abandoned) await link(aside, gate).catch(() => undefined);
        await unlink(aside).catch(() => undefined);
      }
      continue;
    }
    if (Date.now() > deadline) throw new LockHeldError(ledgerPath, 'another process (its lock gate has been held for two minutes)');
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
  }
}

/** The inode of the gate file if it was left by a process that died inside the gate. */
async function gateAbandoned(gate: string): Promise<number | undefined> {
  try {
    const [info, text] = await Promise.all([stat(gate), readFile(gate, 'utf8')]);
    const [pid, host] = text.split(' ');
    let dead: boolean;
    if (host === hostname() && pid !== undefined && !isPidAlive(Number(pid))) dead = true;
    // Empty: its creator died between creating it and writing its pid, microseconds apart.
    else if (host === undefined) dead = info.mtimeMs < Date.now() - EMPTY_GATE_STALE_MS;
    else dead = info.mtimeMs < Date.now() - GATE_STALE_MS;
    return dead ? info.ino : undefined;
  } catch {
    return undefined; // gone already: just try again
  }
}

/** What was there before we took it: a lock left by a dead or stuck holder is about to be taken over. */
async function previousLock(ledgerPath: string, staleMs: number): Promise<{ abandoned: boolean; owner: Owner | undefined; holder: string } | undefined> {
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

/**
 * A holder takes the lock first and writes owner.json just after, so a process that finds the ledger
 * locked in between (many started at once, or one taking a stale lock over) would see no owner, or
 * the dead one before it. Wait a little for the new holder to name itself, so that the refusal can.
 */
const OWNER_WAIT_MS = 5000;
async function awaitOwner(ledgerPath: string): Promise<Owner | undefined> {
  for (const until = Date.now() + OWNER_WAIT_MS; ;) {
    const owner = await readOwner(ledgerPath);
    if (owner && !ownerIsDead(owner)) return owner;
    if (Date.now() >= until) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * What tells our owner.json from the next holder's: a new holder replaces the file by rename, so
 * the path then names another inode (created while ours still existed, so never the same number).
 */
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

/**
 * The file layer of a lock holder: each call that changes a file first checks, synchronously and
 * right before the call, that the lock is still ours (see HeldLock.assertHeld). Reads go through as
 * they are. Found by the SIGSTOP test in test/faults/lock.test.ts: a holder continued after another
 * process had taken its stale lock over went on appending to the journal (by then sealed by the new
 * holder) for as long as proper-lockfile took to notice, an asynchronous check up to `update` ms later.
 */
export function guardWrites(ops: FileOps, lock: LedgerLock): FileOps {
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

class HeldLock implements LedgerLock {
  compromised = false;
  tookOverFrom?: string;
  unlock: (() => Promise<void>) | undefined;
  /** The owner.json we wrote; undefined until then (and then nothing is checked). */
  ownerFile: FileIdentity | undefined;
  private released = false;
  private releasing: Promise<void> | undefined;

  constructor(readonly ledgerPath: string, private readonly onCompromised: ((err: Error) => void) | undefined) {}

  markCompromised(err: Error): void {
    if (this.compromised || this.released) return;
    this.compromised = true;
    this.onCompromised?.(err);
  }

  /**
   * proper-lockfile notices a lost lock only at its next refresh, asynchronously, up to `update` ms
   * after this process runs again (after a SIGSTOP, a suspend, a long stall), and work queued while it
   * was stopped runs first. So each check also looks, synchronously, at owner.json: replaced means
   * another process took the lock over and may already be reading or writing the ledger.
   */
  assertHeld(): void {
    if (!this.compromised && !this.released && this.ownerFile !== undefined) {
      let now: FileIdentity | undefined;
      try {
        now = fileIdentity(ownerPath(this.ledgerPath));
      } catch {
        now = undefined; // cannot tell: assume the worst
      }
      if (!sameIdentity(this.ownerFile, now)) {
        const holder = readOwnerNow(this.ledgerPath);
        this.markCompromised(new Error(`another process took the lock over${holder ? `: ${describeOwner(holder)}` : ''}`));
      }
    }
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
    // Only the file we wrote: one that replaced it belongs to a holder that took the lock over.
    if (sameIdentity(this.ownerFile, fileIdentity(ownerPath(this.ledgerPath)))) await removeOwner(this.ledgerPath).catch(() => undefined);
    try {
      await this.unlock();
    } catch (err) {
      const code = errorCode(err);
      if (code !== 'ERELEASED' && code !== 'ENOTACQUIRED') throw err;
    }
  }
}

function readOwnerNow(ledgerPath: string): Owner | undefined {
  try {
    return parseOwner(readFileSync(ownerPath(ledgerPath), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Who holds the ledger now, for read-only commands; undefined when nobody (or only a stale lock). */
export async function readLockHolder(ledgerPath: string, staleMs: number = defaultStaleMs()): Promise<string | undefined> {
  const locked = await lockfile.check(ledgerPath, { realpath: false, lockfilePath: lockPath(ledgerPath), stale: staleMs });
  if (!locked) return undefined;
  const owner = await readOwner(ledgerPath);
  return owner ? describeOwner(owner) : 'another process';
}

/**
 * A lock this process holds, and how it is lost: proper-lockfile finds its lock directory gone or
 * replaced (at a refresh), or the owner guard finds owner.json replaced (at a write). Once lost it
 * stays lost, and nothing more may be written; the lock and owner.json are then left alone, since
 * they may belong to whoever took the ledger over.
 */
import { DaycapError } from '../../errors.js';
import { errorCode } from '../fileOps.js';
import type { HeldCheck, OwnerMark } from './owner-guard.js';

export interface LedgerLock extends HeldCheck {
  readonly ledgerPath: string;
  /** Set once the lock was lost; from then on nothing may be written. */
  readonly compromised: boolean;
  /** When this lock replaced a stale one: who held it (for the operator). */
  readonly tookOverFrom?: string;
  /**
   * Throws DaycapError 'LOCK_COMPROMISED' once the lock is lost (and 'LOCK_RELEASED' after release).
   * Synchronous and cheap: the write guard calls it before every file change (see guardWrites).
   */
  assertHeld(): void;
  /** Idempotent. */
  release(): Promise<void>;
}

export class HeldLock implements LedgerLock {
  compromised = false;
  tookOverFrom?: string;
  /** proper-lockfile's release; undefined until its lock directory is ours. */
  unlock: (() => Promise<void>) | undefined;
  /** The owner.json we wrote; undefined until then (and then nothing is checked). */
  owner: OwnerMark | undefined;
  private released = false;
  private releasing: Promise<void> | undefined;

  constructor(readonly ledgerPath: string, private readonly onCompromised: ((err: Error) => void) | undefined) {}

  markCompromised(err: Error): void {
    if (this.compromised || this.released) return;
    this.compromised = true;
    this.onCompromised?.(err);
  }

  assertHeld(): void {
    if (!this.compromised && !this.released && this.owner && !this.owner.isOurs()) {
      const holder = this.owner.holderNow();
      this.markCompromised(new Error(`another process took the lock over${holder ? `: ${holder}` : ''}`));
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
    await this.owner?.removeIfOurs();
    try {
      await this.unlock();
    } catch (err) {
      const code = errorCode(err);
      if (code !== 'ERELEASED' && code !== 'ENOTACQUIRED') throw err;
    }
  }
}

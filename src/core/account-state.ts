/**
 * One account's indexes and the per-account rules that decide whether it may be claimed now:
 * in flight (G2), the cap (G1, per day or rolling 24 hours), frozen, cooling down, and the gap
 * since its last attempt. Kept incrementally by the tracker, so asking costs O(1).
 */
import { ROLLING_WINDOW_MS } from './policy.js';

const EMPTY: ReadonlySet<string> = new Set();

/** Why an account's due work is held back; `until` when the hold ends by itself. */
export type AccountHold =
  | { rule: 'in-flight' }
  | { rule: 'frozen'; reason: string }
  | { rule: 'at-cap'; until?: number }
  | { rule: 'cooling-down'; until: number }
  | { rule: 'gap'; until: number };

export interface CapRule {
  cap: number;
  rolling: boolean;
}

export class AccountState {
  /** In the ready queue as claimable now (see ReadyQueue). */
  ready = false;
  readyTicket = 0;
  /** success + claimed + unconfirmed: what G1 bounds in a ledger day. */
  counted = 0;
  /** Possible posts made earlier today that a reset-day moved into an archive (day cap only). */
  archived = 0;
  claimed = 0;
  unconfirmed = 0;
  /** Extra holds that keep the account busy, e.g. while an outcome is being made durable (G3). */
  holds = 0;
  retrying = 0;
  /** Infrastructure failures in a row (in memory: a cooldown it causes is what is kept). */
  streak = 0;
  /** End of the latest attempt (epoch ms), and the gap drawn after it. */
  lastEndAt = -Infinity;
  gapUntil = -Infinity;
  /** The key this account has in the tracker's gate heap, if any. */
  gateKey: number | undefined;
  /** Jobs claimable now, oldest first: pending ones and retrying ones whose time has come. Made on demand (most accounts hold one job). */
  private dueSet: Set<string> | undefined;
  /** Failed rows that freeze the account → their reason. */
  private freezing: Map<string, string> | undefined;
  /** Rows that set a cooldown → its end. */
  private cooldowns: Map<string, number> | undefined;
  /** completed_at of posts counted by a rolling cap (ledger successes and archived posts), ascending. */
  private posts: number[] | undefined;

  constructor(readonly name: string) {}

  get busy(): boolean {
    return this.claimed + this.holds > 0;
  }

  get due(): ReadonlySet<string> {
    return this.dueSet ?? EMPTY;
  }

  addDue(jobId: string): void {
    (this.dueSet ??= new Set()).add(jobId);
  }

  deleteDue(jobId: string): void {
    if (this.dueSet?.delete(jobId) && this.dueSet.size === 0) this.dueSet = undefined;
  }

  get frozenReason(): string | undefined {
    if (!this.freezing) return undefined;
    let last: string | undefined;
    for (const reason of this.freezing.values()) last = reason;
    return last;
  }

  setFreezing(jobId: string, reason: string | undefined): void {
    if (reason !== undefined) (this.freezing ??= new Map()).set(jobId, reason);
    else if (this.freezing?.delete(jobId) && this.freezing.size === 0) this.freezing = undefined;
  }

  get coolUntil(): number {
    let until = -Infinity;
    if (this.cooldowns) for (const end of this.cooldowns.values()) until = Math.max(until, end);
    return until;
  }

  setCooldown(jobId: string, until: number | undefined): void {
    if (until !== undefined) (this.cooldowns ??= new Map()).set(jobId, until);
    else if (this.cooldowns?.delete(jobId) && this.cooldowns.size === 0) this.cooldowns = undefined;
  }

  addPost(at: number): void {
    const posts = (this.posts ??= []);
    let i = posts.length;
    while (i > 0 && posts[i - 1]! > at) i -= 1;
    posts.splice(i, 0, at);
  }

  removePost(at: number): void {
    const i = this.posts?.indexOf(at) ?? -1;
    if (i >= 0) this.posts!.splice(i, 1);
  }

  /** Posts within the rolling window ending at `now`; older ones are dropped for good. */
  private recentPosts(now: number): number {
    const posts = this.posts;
    if (!posts) return 0;
    let drop = 0;
    while (drop < posts.length && posts[drop]! <= now - ROLLING_WINDOW_MS) drop += 1;
    if (drop > 0) posts.splice(0, drop);
    return posts.length;
  }

  /** What G1 counts against the cap at `now`. */
  countedAt(now: number, rolling: boolean): number {
    return rolling ? this.claimed + this.unconfirmed + this.recentPosts(now) : this.counted + this.archived;
  }

  /** The first rule holding this account back at `now`, or undefined when it may be claimed. */
  hold(now: number, cap: CapRule): AccountHold | undefined {
    if (this.busy) return { rule: 'in-flight' };
    const frozen = this.frozenReason;
    if (frozen !== undefined) return { rule: 'frozen', reason: frozen };
    if (this.countedAt(now, cap.rolling) >= cap.cap) {
      // A rolling cap frees a place when the oldest post in the window ages out (if that makes room).
      const oldest = cap.rolling && this.claimed + this.unconfirmed < cap.cap ? this.posts?.[this.posts.length - (cap.cap - this.claimed - this.unconfirmed)] : undefined;
      return oldest === undefined ? { rule: 'at-cap' } : { rule: 'at-cap', until: oldest + ROLLING_WINDOW_MS };
    }
    const cool = this.coolUntil;
    if (cool > now) return { rule: 'cooling-down', until: cool };
    if (this.gapUntil > now) return { rule: 'gap', until: this.gapUntil };
    return undefined;
  }
}

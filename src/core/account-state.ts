/**
 * One account's indexes, kept up to date row by row by the day's indexes (core/day-indexes.ts), so
 * the claim policy (core/claim-policy.ts) reads them in O(1).
 */
import type { AccountView } from './claim-policy.js';

const EMPTY: ReadonlySet<string> = new Set();
const NO_POSTS: readonly number[] = [];

export class AccountState implements AccountView {
  /** In the ready queue as claimable now (see ReadyQueue). */
  ready = false;
  readyTicket = 0;
  counted = 0;
  /** Possible posts made earlier today that a reset-day moved into an archive (day cap only). */
  archived = 0;
  claimed = 0;
  unconfirmed = 0;
  retrying = 0;
  /** Infrastructure failures in a row (in memory: a cooldown it causes is what is kept). */
  streak = 0;
  /** End of the latest attempt (epoch ms), and the gap drawn after it. */
  lastEndAt = -Infinity;
  gapUntil = -Infinity;
  /** The key this account has in the gate heap, if any. */
  gateKey: number | undefined;
  /** Jobs claimable now, oldest first: pending ones and retrying ones whose time has come. Made on demand (most accounts hold one job). */
  private dueSet: Set<string> | undefined;
  /** Failed rows that freeze the account → their reason. */
  private freezing: Map<string, string> | undefined;
  /** Rows that set a cooldown → its end. */
  private cooldowns: Map<string, number> | undefined;
  private postTimes: number[] | undefined;

  constructor(readonly name: string) {}

  get busy(): boolean {
    return this.claimed > 0;
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

  get posts(): readonly number[] {
    return this.postTimes ?? NO_POSTS;
  }

  /** Keeps the post times of a rolling cap in ascending order. */
  addPost(at: number): void {
    const posts = (this.postTimes ??= []);
    let i = posts.length;
    while (i > 0 && posts[i - 1]! > at) i -= 1;
    posts.splice(i, 0, at);
  }

  removePost(at: number): void {
    const i = this.postTimes?.indexOf(at) ?? -1;
    if (i >= 0) this.postTimes!.splice(i, 1);
  }
}

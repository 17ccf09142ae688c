/**
 * The indexes the claim policy needs, kept row by row so a claim costs the same at 100 jobs as at
 * 100,000 (no rescans): counts by status, each account's state, the accounts claimable now (a ready
 * queue), retries by due time and held accounts by the time their hold ends (two heaps).
 */
import { AccountState } from './account-state.js';
import { accountHold, type AccountHold, type CapRule, type CapSkip } from './claim-policy.js';
import { cooldownEndOf, freezeReason, isFreezingRow } from './health.js';
import { MinHeap } from './heap.js';
import { CAPPED_STATUSES, zeroCounts, type Job, type StatusCounts } from './job.js';
import { parseTime } from './time.js';
import type { HealthPolicy, PacingPolicy } from './policy.js';
import { ReadyQueue } from './ready-queue.js';

export interface IndexRules {
  cap: CapRule;
  health: HealthPolicy;
  pacing: PacingPolicy;
  /** Uniform in [0, 1): the jitter on gaps. */
  random: () => number;
}

/** Why work is held back at a moment, counted by rule; drives "worker idle" events and the live view. */
export interface HeldCounts {
  claimableNow: number;
  accountsInFlight: number;
  accountsAtCap: number;
  accountsFrozen: number;
  accountsCooling: number;
  accountsInGap: number;
  retryingLater: number;
  nextRetryAt: number | undefined;
  unassigned: number;
}

export class DayIndexes {
  readonly counts: StatusCounts = zeroCounts();
  /** Pending jobs with no account: never claimed. */
  unassigned = 0;
  readonly accounts = new Map<string, AccountState>();
  readonly ready = new ReadyQueue();
  private readonly retryHeap = new MinHeap<string>();
  /** Accounts held by a rule that ends by itself (gap, cooldown, rolling cap), by when it ends. */
  private readonly gateHeap = new MinHeap<AccountState>();
  private capSkips: CapSkip[] = [];
  private readonly capReported = new Set<string>();
  /** The latest `now` seen: refreshes triggered without a clock (a row added) use it. */
  private now = -Infinity;

  constructor(private readonly rules: IndexRules, private readonly rowOf: (jobId: string) => Readonly<Job> | undefined) {}

  account(name: string): AccountState {
    let state = this.accounts.get(name);
    if (!state) {
      state = new AccountState(name);
      this.accounts.set(name, state);
    }
    return state;
  }

  hold(state: AccountState, now: number): AccountHold | undefined {
    return accountHold(state, now, this.rules.cap);
  }

  noteNow(now: number): void {
    if (now > this.now) this.now = now;
  }

  add(job: Readonly<Job>): void {
    this.counts[job.status] += 1;
    if (!job.account) {
      if (job.status === 'pending') this.unassigned += 1;
      return;
    }
    const state = this.account(job.account);
    if (job.status === 'retrying') state.retrying += 1;
    if (CAPPED_STATUSES.has(job.status)) state.counted += 1;
    if (job.status === 'claimed') state.claimed += 1;
    if (job.status === 'unconfirmed') state.unconfirmed += 1;
    if (job.status === 'pending') state.addDue(job.job_id);
    if (job.status === 'retrying') this.retryHeap.push(parseTime(job.retry_at) ?? -Infinity, job.job_id);
    if (job.status === 'failed' && isFreezingRow(job, this.rules.health)) state.setFreezing(job.job_id, freezeReason(job));
    if (job.extra) state.setCooldown(job.job_id, cooldownEndOf(job));
    if (this.rules.cap.rolling && job.status === 'success') state.addPost(parseTime(job.completed_at) ?? -Infinity);
    if (this.rules.pacing.minGapMs > 0 || this.rules.pacing.jitterMs > 0) this.noteAttemptEnd(state, job);
  }

  remove(job: Readonly<Job>): void {
    this.counts[job.status] -= 1;
    this.capReported.delete(job.job_id);
    if (!job.account) {
      if (job.status === 'pending') this.unassigned -= 1;
      return;
    }
    const state = this.account(job.account);
    if (job.status === 'retrying') state.retrying -= 1;
    if (CAPPED_STATUSES.has(job.status)) state.counted -= 1;
    if (job.status === 'claimed') state.claimed -= 1;
    if (job.status === 'unconfirmed') state.unconfirmed -= 1;
    if (job.status === 'failed') state.setFreezing(job.job_id, undefined);
    if (job.extra) state.setCooldown(job.job_id, undefined);
    if (this.rules.cap.rolling && job.status === 'success') state.removePost(parseTime(job.completed_at) ?? -Infinity);
    // Stale heap entries for a retrying job are skipped when popped (see promoteDue).
    state.deleteDue(job.job_id);
  }

  /** The gap runs from the end of an account's latest attempt, whatever its outcome. */
  private noteAttemptEnd(state: AccountState, job: Readonly<Job>): void {
    const endedAt = parseTime(job.completed_at);
    if (endedAt === undefined || endedAt <= state.lastEndAt) return;
    state.lastEndAt = endedAt;
    state.gapUntil = endedAt + this.rules.pacing.minGapMs + Math.floor(this.rules.random() * this.rules.pacing.jitterMs);
  }

  /**
   * Keeps `ready` true to the claim rules for one account; an account held by a rule that ends by
   * itself waits in the gate heap; jobs held back by the day's cap are noted for the log.
   */
  refresh(state: AccountState): void {
    if (state.due.size === 0) {
      this.ready.delete(state);
      return;
    }
    const hold = this.hold(state, this.now);
    if (!hold) {
      this.ready.add(state);
      return;
    }
    this.ready.delete(state);
    if ('until' in hold && hold.until !== undefined && (state.gateKey === undefined || hold.until < state.gateKey)) {
      state.gateKey = hold.until;
      this.gateHeap.push(hold.until, state);
    }
    if (hold.rule === 'at-cap' && !this.rules.cap.rolling) this.noteCapSkips(state);
  }

  private noteCapSkips(state: AccountState): void {
    for (const jobId of state.due) {
      if (this.capReported.has(jobId)) continue;
      this.capReported.add(jobId);
      this.capSkips.push({ jobId, account: state.name, cap: this.rules.cap.cap });
    }
  }

  /**
   * A new pass over the day (the first claim of a higher attempt number): jobs still held back by
   * the cap are skipped again in this pass, so they are reported again. O(accounts), once per pass.
   */
  startCapPass(): void {
    this.capReported.clear();
    for (const state of this.accounts.values()) if (state.due.size > 0) this.refresh(state);
  }

  /** Jobs newly held back by the cap since the last call, each once per pass. */
  drainCapSkips(): CapSkip[] {
    if (this.capSkips.length === 0) return [];
    const out = this.capSkips;
    this.capSkips = [];
    return out;
  }

  /** Lets holds that ended by `now` go, and moves retries that fell due into their account's due set. */
  promoteDue(now: number): void {
    this.noteNow(now);
    for (let gate = this.gateHeap.peek(); gate && gate.key <= now; gate = this.gateHeap.peek()) {
      this.gateHeap.pop();
      if (gate.value.gateKey !== gate.key) continue;
      gate.value.gateKey = undefined;
      this.refresh(gate.value);
    }
    for (let top = this.retryHeap.peek(); top && top.key <= now; top = this.retryHeap.peek()) {
      this.retryHeap.pop();
      const job = this.dueRetry(top.key, top.value);
      if (!job) continue;
      const state = this.account(job.account);
      if (state.due.has(job.job_id)) continue;
      state.addDue(job.job_id);
      this.refresh(state);
    }
  }

  /** The job of a retry heap entry, unless the entry is stale (the job moved on, or was re-timed). */
  private dueRetry(at: number, jobId: string): Readonly<Job> | undefined {
    const job = this.rowOf(jobId);
    if (!job || job.status !== 'retrying' || !job.account) return undefined;
    return (parseTime(job.retry_at) ?? -Infinity) === at ? job : undefined;
  }

  nextRetryAt(): number | undefined {
    return this.retryHeap.peek()?.key;
  }

  /** The earliest waiting retry whose attempt number would be at most `maxAttempt`. O(retrying jobs); asked only when idle. */
  nextRetryWithin(maxAttempt: number): { at: number; attempt: number } | undefined {
    let best: { at: number; attempt: number } | undefined;
    for (const { key, value } of this.retryHeap.entries()) {
      const job = this.dueRetry(key, value);
      if (!job || job.attempts + 1 > maxAttempt) continue;
      if (!best || key < best.at) best = { at: key, attempt: job.attempts + 1 };
    }
    return best;
  }

  /** When the earliest account held by a rule that ends by itself may be claimed. */
  nextAccountAt(): number | undefined {
    for (let top = this.gateHeap.peek(); top; top = this.gateHeap.peek()) {
      if (top.value.gateKey === top.key && top.value.due.size > 0) return top.key;
      // Stale: the account's hold changed, or it has no work left.
      this.gateHeap.pop();
      if (top.value.gateKey === top.key) top.value.gateKey = undefined;
    }
    return undefined;
  }

  /** Every account with due work, counted by what holds it. O(accounts); asked only when a worker goes idle. */
  heldCounts(now: number): HeldCounts {
    const byRule = { 'in-flight': 0, 'at-cap': 0, frozen: 0, 'cooling-down': 0, gap: 0 };
    let dueRetrying = 0;
    for (const state of this.accounts.values()) {
      if (state.retrying > 0) for (const id of state.due) if (this.rowOf(id)?.status === 'retrying') dueRetrying += 1;
      if (state.due.size === 0) continue;
      const hold = this.hold(state, now);
      if (hold) byRule[hold.rule] += 1;
    }
    return {
      claimableNow: this.ready.size,
      accountsInFlight: byRule['in-flight'],
      accountsAtCap: byRule['at-cap'],
      accountsFrozen: byRule.frozen,
      accountsCooling: byRule['cooling-down'],
      accountsInGap: byRule.gap,
      retryingLater: this.counts.retrying - dueRetrying,
      nextRetryAt: this.nextRetryAt(),
      unassigned: this.unassigned,
    };
  }
}

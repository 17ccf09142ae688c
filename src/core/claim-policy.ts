/**
 * The claim policy: whether an account, and the day as a whole, may be claimed from at a moment.
 * Pure functions over a narrow view of an account's state, so the in-memory day (core/day-state.ts)
 * and a database store evaluate exactly the same rules. The rules and their order are described in
 * docs/guarantees.md (G1, G2) and docs/configuration.md#account-health-and-pacing.
 */
import { DaycapError } from '../errors.js';
import { isoTime } from './time.js';
import { ROLLING_WINDOW_MS, type PacingPolicy } from './policy.js';
import { RateLimit } from './rate-limit.js';
import { windowState, type WindowState } from './window.js';

/** What the rules read of one account. */
export interface AccountView {
  /** A job of the account is in flight (claimed). */
  readonly busy: boolean;
  /** success + claimed + unconfirmed in the ledger's day: what G1 bounds. */
  readonly counted: number;
  /** Possible posts made earlier today that a reset-day moved into an archive (the day cap counts them). */
  readonly archived: number;
  readonly claimed: number;
  readonly unconfirmed: number;
  /** Why the account is frozen, if a failed row freezes it. */
  readonly frozenReason: string | undefined;
  /** End of the latest cooldown set on the account (epoch ms; -Infinity for none). */
  readonly coolUntil: number;
  /** End of the gap after its latest attempt (epoch ms; -Infinity for none). */
  readonly gapUntil: number;
  /** completed_at of its posts that a rolling cap counts, ascending (ledger and archives). */
  readonly posts: readonly number[];
}

export interface CapRule {
  cap: number;
  rolling: boolean;
}

/** Why an account's due work is held back; `until` when the hold ends by itself. */
export type AccountHold =
  | { rule: 'in-flight' }
  | { rule: 'frozen'; reason: string }
  | { rule: 'at-cap'; until?: number }
  | { rule: 'cooling-down'; until: number }
  | { rule: 'gap'; until: number };

/** Posts of a rolling cap inside the 24 hours ending at `now`. */
export function recentPostCount(posts: readonly number[], now: number): number {
  let first = 0;
  while (first < posts.length && posts[first]! <= now - ROLLING_WINDOW_MS) first += 1;
  return posts.length - first;
}

/** What G1 counts against the cap at `now`. */
export function countedAt(view: AccountView, now: number, rolling: boolean): number {
  return rolling ? view.claimed + view.unconfirmed + recentPostCount(view.posts, now) : view.counted + view.archived;
}

/** The first rule holding this account back at `now`, or undefined when it may be claimed. */
export function accountHold(view: AccountView, now: number, cap: CapRule): AccountHold | undefined {
  if (view.busy) return { rule: 'in-flight' };
  if (view.frozenReason !== undefined) return { rule: 'frozen', reason: view.frozenReason };
  if (countedAt(view, now, cap.rolling) >= cap.cap) return { rule: 'at-cap', ...capFreesAt(view, cap) };
  if (view.coolUntil > now) return { rule: 'cooling-down', until: view.coolUntil };
  if (view.gapUntil > now) return { rule: 'gap', until: view.gapUntil };
  return undefined;
}

/** A rolling cap frees a place when the oldest post that keeps it full ages out of the window. */
function capFreesAt(view: AccountView, cap: CapRule): { until?: number } {
  const room = cap.cap - view.claimed - view.unconfirmed;
  if (!cap.rolling || room <= 0) return {};
  const oldest = view.posts[view.posts.length - room];
  return oldest === undefined ? {} : { until: oldest + ROLLING_WINDOW_MS };
}

/** A rule over all accounts that holds every claim back for a while. */
export interface GlobalHold {
  rule: 'outside-window' | 'rate-limit';
  until: number;
}

/** The rules over all accounts: the posting window (cached until it next changes) and the global rate limit. */
export class GlobalGate {
  private windowCache: (WindowState & { from: number }) | undefined;
  private readonly rateLimit: RateLimit | undefined;

  constructor(private readonly pacing: PacingPolicy, earlierClaims: Iterable<number> = []) {
    this.rateLimit = pacing.perMinute === undefined ? undefined : new RateLimit(pacing.perMinute, earlierClaims);
  }

  hold(now: number): GlobalHold | undefined {
    const windows = this.pacing.windows;
    if (windows) {
      let state = this.windowCache;
      const until = state ? (state.open ? state.closesAt : state.opensAt) : -Infinity;
      if (!state || now < state.from || now >= until) state = this.windowCache = { ...windowState(windows, now), from: now };
      if (!state.open) return { rule: 'outside-window', until: state.opensAt };
    }
    const allowedAt = this.rateLimit?.nextAllowedAt(now);
    if (allowedAt !== undefined && allowedAt > now) return { rule: 'rate-limit', until: allowedAt };
    return undefined;
  }

  recordClaim(at: number): void {
    this.rateLimit?.record(at);
  }
}

/** A job passed over because its account is at the cap (logged as the seed system logs it). */
export interface CapSkip {
  jobId: string;
  account: string;
  cap: number;
}

export function capSkipLine(skip: CapSkip): string {
  return `Skipping job ${skip.jobId} - account ${skip.account} at daily limit of ${skip.cap}`;
}

/** Why a given job may not be claimed now, as an error (an explicit claim of one job). */
export function holdError(jobId: string, account: string, hold: AccountHold | GlobalHold, cap: number): DaycapError {
  switch (hold.rule) {
    case 'in-flight':
      return new DaycapError('ACCOUNT_BUSY', `job ${jobId} cannot be claimed: account ${account} already has a job in flight`);
    case 'at-cap':
      return new DaycapError('ACCOUNT_AT_CAP', capSkipLine({ jobId, account, cap }));
    case 'frozen':
      return new DaycapError('ACCOUNT_FROZEN', `job ${jobId} cannot be claimed: account ${account} is frozen (${hold.reason})`);
    case 'cooling-down':
      return new DaycapError('ACCOUNT_COOLING', `job ${jobId} cannot be claimed: account ${account} is cooling down until ${isoTime(hold.until)}`);
    case 'gap':
      return new DaycapError('ACCOUNT_GAP', `job ${jobId} cannot be claimed before ${isoTime(hold.until)}: the gap between two posts of account ${account}`);
    case 'rate-limit':
      return new DaycapError('RATE_LIMITED', `job ${jobId} cannot be claimed before ${isoTime(hold.until)}: the global rate limit is reached`);
    case 'outside-window':
      return new DaycapError('OUTSIDE_WINDOW', `job ${jobId} cannot be claimed before ${isoTime(hold.until)}: outside the posting window`);
  }
}

/**
 * Account health and pacing rules as plain data (the configuration's `health` and `pacing`
 * sections, with durations already in milliseconds). The claim policy applies them; nothing here
 * reads a clock or a file.
 */

/** A time-of-day range in `HH:MM` (24 h); an end before the start runs across midnight. */
export interface TimeRange {
  start: string;
  end: string;
}

export interface PostingWindows {
  /** An IANA time zone, e.g. `Europe/Berlin`. */
  timeZone: string;
  ranges: readonly TimeRange[];
  /** At the end of a window: wait for the next one, or end the run (jobs left, exit 4). */
  atEnd: 'wait' | 'end';
}

export interface PacingPolicy {
  /** `day`: the cap counts the ledger's rows. `rolling-24h`: posts whose completed_at is within the last 24 hours, archives included. */
  capMode: 'day' | 'rolling-24h';
  /** Least time between the end of an account's attempt and its next claim. */
  minGapMs: number;
  /** Up to this much more, drawn at random for each gap, so posts are not machine-regular. */
  jitterMs: number;
  /** At most this many claims per minute over all accounts; undefined: no limit. */
  perMinute: number | undefined;
  windows: PostingWindows | undefined;
  /** The run ends instead of waiting when the next account gate (gap, cooldown, rolling cap) is further away than this. */
  maxWaitMs: number;
}

export interface HealthPolicy {
  /** Non-retryable failures in these categories freeze the account for the day. */
  freezeCategories: readonly string[];
  /** Error types that cool the account down instead (a platform's "slow down"). */
  cooldownTypes: readonly string[];
  /** A cooldown type without a retry-after from the platform cools down this long. */
  defaultCooldownMs: number;
  /** This many infrastructure failures in a row on one account cool it down (0: never)… */
  failureStreak: number;
  /** …for this long. */
  streakCooldownMs: number;
}

export const DEFAULT_PACING: PacingPolicy = {
  capMode: 'day',
  minGapMs: 0,
  jitterMs: 0,
  perMinute: undefined,
  windows: undefined,
  maxWaitMs: 2 * 3_600_000,
};

export const DEFAULT_HEALTH: HealthPolicy = {
  freezeCategories: ['account'],
  cooldownTypes: ['action_blocked', 'rate_limited'],
  defaultCooldownMs: 3_600_000,
  failureStreak: 3,
  streakCooldownMs: 30 * 60_000,
};

export const ROLLING_WINDOW_MS = 24 * 3_600_000;

/** The extra ledger column that holds an account's cooldown end on the row that caused it. */
export const COOLDOWN_COLUMN = 'cooldown_until';

/** A post made before this ledger's day (from an archive), for the rolling cap. */
export interface PastPost {
  account: string;
  /** completed_at, epoch ms. */
  at: number;
}

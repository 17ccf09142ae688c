/** What a run is given: the ledger, the poster, the settings, and what tests inject. */
import type { CategoryRule } from '../core/classify.js';
import type { HealthPolicy, PacingPolicy, PastPost } from '../core/policy.js';
import type { TimeFormat } from '../core/time.js';
import type { FileOps } from '../ledger/fileOps.js';
import type { VerifySpec } from '../handlers/types.js';
import type { HandlerSpec } from '../protocol.js';
import type { ArchivedHistory } from '../store/store.js';
import type { RunEventStream } from './events.js';

export interface RunOptions {
  ledger: string;
  handler: HandlerSpec;
  /** A verify program for a handler that has no verify of its own (a handler that has one is refused). */
  verify?: VerifySpec | undefined;
  /** How long a verify may take for one job before its answer counts as unknown (default 1 min). */
  verifyTimeoutMs?: number;
  workers?: number;
  cap?: number;
  maxPasses?: number;
  retryDelayMs?: number;
  jobTimeoutMs?: number;
  /** How long jobs in flight may finish after a stop before they are aborted. */
  graceMs?: number;
  rules?: readonly CategoryRule[];
  /** Account health: which failures freeze an account, which cool it down and for how long. */
  health?: HealthPolicy;
  /** Pacing: gaps between an account's posts, a global rate limit, posting windows, the rolling cap. */
  pacing?: PacingPolicy;
  /** Posts of the previous day (archives), for a rolling 24-hour cap. */
  pastPosts?: readonly PastPost[];
  /**
   * Reads the posts in the ledger's archives that the cap counts (today's for the day cap, the last
   * 24 hours' for a rolling one) once the ledger is locked, so that no reset-day slips in between.
   */
  readArchived?: () => Promise<ArchivedHistory>;
  /** Possible posts made earlier today that are in archives (account -> count): the day cap counts them. */
  archivedToday?: ReadonlyMap<string, number>;
  /** Uniform in [0, 1) for the jitter on gaps; tests inject a seeded one. */
  random?: () => number;
  /** What the lock's owner file says is running. */
  command?: string;
  /** When the ledger's lock counts as abandoned (see LockTiming). */
  staleMs?: number;
  /** A shared (database) ledger: how long this run's claims stay its own without a renewal (default 30 s; docs/postgres.md#leases). */
  leaseMs?: number;
  /** A shared (database) ledger: how long to keep retrying while the database cannot be reached before stopping with exit 5 (default 30 s). */
  dbRetryWindowMs?: number;
  /** A shared ledger: how often an idle run looks again while other runs hold claims (default 2 s). */
  othersPollMs?: number;
  clock?: () => number;
  runId?: string;
  events?: RunEventStream;
  /** Keep claim latencies (ms) for the benchmark. */
  measureClaimLatency?: boolean;
  /**
   * The most claims a worker may hold at once (the running one plus those queued behind it) when
   * its jobs finish faster than a journal sync; then the journal write overlaps with posting.
   * Workers whose jobs take longer (every real post) hold one claim at a time, so a crash leaves
   * at most one unconfirmed job per worker. Default 8; 32 on a database ledger, whose commits cost more.
   */
  maxPrefetch?: number;
  /** The file layer under the ledger and journal; tests inject faults here. */
  fileOps?: FileOps;
  /**
   * How to write times into a ledger that has none yet (`ledger.timeFormat`; default `utc`). A
   * ledger that already has times keeps its own convention (docs/ledger.md#times).
   */
  timeFormat?: TimeFormat;
  /** Answer `daycap status|pause|resume|stop|retry-failed|release-stale` from other terminals. Default true. */
  controlSocket?: boolean;
  /** Watch the ledger for outside edits and merge them (G7). Default true. */
  watchLedger?: boolean;
  watchSettleMs?: number;
  watchPollMs?: number;
}

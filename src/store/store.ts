/**
 * The store seam: everything the runner, the commands and the live view need from "the ledger".
 * Each change is one call that applies a transition to the day and makes it durable before it
 * resolves, returning what became true; memory never runs ahead of what is durable. Implemented by
 * the CSV + journal store (store/file-store.ts) and the PostgreSQL store (store/pg/pg-store.ts);
 * docs/design.md#the-store-seam-srcstore describes the seam and its contract.
 */
import type { CategoryRule } from '../core/classify.js';
import type { CapSkip, GlobalHold } from '../core/claim-policy.js';
import type { AccountNews, Blockers, Claim } from '../core/day-state.js';
import type { Job, StatusCounts } from '../core/job.js';
import type { RetryFailedOptions } from '../core/operator-actions.js';
import type { HealthPolicy, PacingPolicy, PastPost } from '../core/policy.js';
import type { LedgerSummary } from '../core/summary.js';
import type { TimeFormat } from '../core/time.js';
import type { FileOps } from '../ledger/fileOps.js';
import type { Outcome } from '../protocol.js';

/** The rules a store applies to every transition. */
export interface DayRules {
  cap: number;
  health: HealthPolicy;
  pacing: PacingPolicy;
  /** Error classification (default: the built-in table). */
  rules?: readonly CategoryRule[] | undefined;
  retryDelayMs: number;
  /** Posts of the previous day (archives), for a rolling 24-hour cap. */
  pastPosts?: readonly PastPost[] | undefined;
  /** Possible posts made earlier today that are in archives (account -> count), for the day cap. */
  archivedToday?: ReadonlyMap<string, number> | undefined;
  /** Uniform in [0, 1) for the jitter on gaps; tests inject a seeded one. */
  random?: (() => number) | undefined;
  /** How to write times into a ledger that has none yet; a ledger with times keeps its own convention. */
  timeFormat?: TimeFormat | undefined;
}

/** Posts in the ledger's archives that the cap counts: today's for the day cap, the last 24 hours' for a rolling one. */
export interface ArchivedHistory {
  today?: ReadonlyMap<string, number> | undefined;
  recent?: readonly PastPost[] | undefined;
}

/** What a worker slot tells the store about one of its claims. */
export type Report =
  /** The handler finished: posted, or failed. */
  | { kind: 'outcome'; jobId: string; outcome: Outcome }
  /** The job was aborted after the grace period while its handler may still be posting (G5). */
  | { kind: 'abandoned'; jobId: string }
  /** Given to the worker but never started: back to pending. */
  | { kind: 'unstarted'; jobId: string }
  /** Its worker died or was stopped before reporting: it may have posted (G5). */
  | { kind: 'lost'; jobId: string };

/** One worker's turn: settle what it reports, then claim up to `want` jobs for it, as one durable step. */
export interface Exchange {
  runId: string;
  workerId: number;
  now: number;
  reports: readonly Report[];
  want: number;
}

export interface Exchanged {
  /** The rows of the reports, in the same order, as now durable. */
  settled: Job[];
  /** New claims for the worker, durable: only now may it start them (G3). */
  claimed: Claim[];
  /** Jobs newly held back by the day's cap (logged once each). */
  capSkips: CapSkip[];
  news: AccountNews[];
}

/** An operator's action, or a run's own start-up work, on many rows at once. */
export type Action =
  | ({ kind: 'retry-failed' } & RetryFailedOptions)
  | { kind: 'release-stale'; olderThanMs: number }
  | { kind: 'unfreeze'; account: string; retry: boolean }
  | { kind: 'skip'; jobs: ReadonlyArray<{ jobId: string; reason: string }> }
  /** The handler's verify verdicts on unconfirmed jobs. */
  | { kind: 'verified'; verdicts: ReadonlyArray<{ jobId: string; verdict: 'posted' | 'not-posted' | 'unknown'; postId?: string }> }
  /** Claims of runs other than `runId` become unconfirmed (G5); on a shared ledger, claims of runs that are no longer live. */
  | { kind: 'adopt-orphans'; runId: string }
  /** New rows (seeding). */
  | { kind: 'add'; jobs: readonly Job[] };

export interface Acted {
  changed: Job[];
  news: AccountNews[];
  /** Jobs newly held back by the day's cap (logged once each). */
  capSkips: CapSkip[];
}

/** What the dispatch loop needs to know when no worker has work: is anything claimable, and when next. */
export interface Outlook {
  claimable: boolean;
  /** The earliest waiting retry whose attempt is within the run's passes. */
  retry: { at: number; attempt: number } | undefined;
  /** A rule over all accounts holding back work that is otherwise claimable. */
  global: GlobalHold | undefined;
  /** When the earliest account held by a rule that ends by itself may be claimed. */
  nextAccountAt: number | undefined;
  /**
   * Claims that other runs hold on a shared ledger (other hosts; 0 for a file). Their outcomes may
   * free work (a failure to retry, a slot under the cap), so an idle run waits for them instead of
   * ending the day.
   */
  othersInFlight: number;
}

/** The day's size and counts, cheap to ask. */
export interface Tally {
  jobs: number;
  counts: StatusCounts;
  unassigned: number;
}

/** What a store tells its subscribers that no call of theirs caused. */
export type StoreNews =
  /** An outside edit of the ledger was merged (G7). */
  | { kind: 'external-edit'; merged: number; refused: number; keptAs?: string; message: string; changed: Job[]; news: AccountNews[]; capSkips: CapSkip[] }
  /** The CSV was rewritten from memory. */
  | { kind: 'ledger-written'; rows: number }
  | { kind: 'warning'; message: string }
  /** Nothing more can be made durable (disk, lock, lease, database): the run must stop. */
  | { kind: 'failed'; reason: 'storage-failed' | 'lock-lost'; message: string }
  /** Another run or a command changed a shared ledger: idle workers should look again. */
  | { kind: 'changed' }
  /**
   * Claims of runs that stopped renewing their lease (`from`: their run ids) became unconfirmed
   * (G5): the handler's verify may settle them, as at start-up.
   */
  | { kind: 'orphans-adopted'; from: string[]; changed: Job[]; news: AccountNews[]; capSkips: CapSkip[] }
  /** An operator's pause, resume or stop, sent to every run on a shared ledger. */
  | { kind: 'control'; op: 'pause' | 'resume' | 'stop' };

/** What opening a ledger as a store takes (everything but where it is). */
export interface OpenStoreOptions {
  rules: DayRules;
  /** As the operator typed it ('daycap run'); shown to anyone who finds the ledger taken. */
  command: string;
  /** `journal` for a run (each step made durable at once); `snapshot` for a one-shot command. */
  durability: 'journal' | 'snapshot';
  /** The run taking the ledger; a shared ledger registers it and fences its writes by its lease. */
  runId?: string | undefined;
  /** The file layer under a file ledger and its journal; tests inject faults here. */
  fileOps?: FileOps | undefined;
  clock?: (() => number) | undefined;
  /** Reads the archived posts the cap counts, once the ledger is taken (so no reset-day slips in between). */
  readArchived?: (() => Promise<ArchivedHistory>) | undefined;
  watchSettleMs?: number | undefined;
  watchPollMs?: number | undefined;
}

export interface Store {
  /** The ledger as an operator names it (a path). */
  readonly ledger: string;
  /** Things found while opening that the operator should be told (a torn journal tail…). */
  readonly notices: readonly string[];
  /** Journal records of a run that died, folded in when the store was opened. */
  readonly recoveredRecords: number | undefined;
  /** Set when the ledger lock was taken over from a holder that had stopped. */
  readonly tookOverFrom: string | undefined;
  /**
   * Other runs may use the ledger at the same time (a database shared by hosts): claims are told
   * apart by run id, operators' controls come as news, and a run offers no control socket of its own.
   */
  readonly shared: boolean;

  exchange(step: Exchange): Promise<Exchanged>;
  act(action: Action, now: number): Promise<Acted>;

  outlook(now: number, maxPasses: number): Promise<Outlook>;
  blockers(now: number): Promise<Blockers>;
  tally(): Promise<Tally>;
  summary(now: number): Promise<LedgerSummary>;
  /** Copies of every row, in ledger order. */
  rows(): Promise<Job[]>;

  subscribe(listener: (news: StoreNews) => void): () => void;
  /** Starts watching for changes made by others (outside edits; other runs of a shared ledger). */
  watch(): Promise<void>;
  /**
   * Makes everything durable in its final form and lets the ledger go. `final: false` leaves the
   * last changes where a later open finds them (after a failure). Idempotent.
   */
  close(options: { final: boolean; label: string }): Promise<void>;
}

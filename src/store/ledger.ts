/**
 * A day's ledger as the commands see it, wherever it lives: read it without taking it, ask a live
 * run, count the posts in its archives, archive the day, or open it as a store to change it. The
 * commands (src/api) reach a ledger only through this and the store it opens (store.ts), so that
 * another kind of ledger needs no change above this line: a CSV file (file-ledger.ts) or a ledger
 * in PostgreSQL (pg/pg-ledger.ts). docs/design.md, "the store seam".
 */
import type { ArchivedRow } from '../core/archived-posts.js';
import type { ArchivedPosts, ArchiveCountOptions } from './file-archives.js';
import type { Job } from '../core/job.js';
import type { DayDigest } from '../core/summary.js';
import type { LedgerValidation } from '../ledger/validate.js';
import type { ControlRequest, ControlResponse } from '../runner/control-protocol.js';
import type { OpenStoreOptions, Store } from './store.js';

/** The rows as durable now, read without taking the ledger. */
export interface LedgerRead {
  jobs: Job[];
  /** The ledger exists (or has durable rows). */
  exists: boolean;
  /** Changes durable beyond the last full write (journal records), if the ledger keeps any. */
  pendingRecords: number;
  /** Columns after the known seventeen, in the order the ledger's CSV has (or would have) them. */
  extraColumns: string[];
}

/** A run using a shared ledger, as `daycap status` lists them. */
export interface RunnerInfo {
  runId: string;
  host: string;
  pid: number;
  command: string;
  startedAt: number;
  /** When its lease runs out unless it renews it (epoch ms). */
  leaseUntil: number;
  paused: boolean;
  /** Jobs it holds claimed now. */
  inFlight: number;
}

/** A day loaded into an empty ledger (`daycap import`): its rows and the archives whose posts the cap counts. */
export interface LoadedDay {
  jobs: readonly Job[];
  extraColumns: readonly string[];
  archives: ReadonlyArray<{ label: string; localDay: string; archivedAt: number; rows: readonly ArchivedRow[] }>;
}

export interface Ledger {
  /** As operators see it in messages (a path, or a URL with its password masked). */
  readonly name: string;
  /** A CSV file on this machine, or a ledger in a database that several hosts share. */
  readonly kind: 'file' | 'database';
  /** Where relative video paths in its rows are resolved from. */
  readonly baseDir: string;
  /** Refuses, with what to do, when there is no such ledger (usually a typo). */
  requireExisting(): Promise<void>;
  /** Refuses when a ledger could not be created here. */
  requireCreatable(): Promise<void>;
  /** Whether it can be used; validation only reports, it never changes anything. */
  validate(): Promise<LedgerValidation>;
  read(): Promise<LedgerRead>;
  /**
   * What `status` needs of the rows, when the ledger can tell it without reading them all (a file
   * ledger unchanged since daycap last wrote it); undefined otherwise. A digest with rows proves the
   * ledger valid: daycap wrote those bytes from valid rows.
   */
  digest?(): Promise<DayDigest | undefined>;
  /** Who holds it now (a live run, or a command), if anyone. */
  holder(): Promise<string | undefined>;
  /** Every live run using it (a shared ledger's runs on every host; none for a file, whose live run answers `ask`). */
  runners(): Promise<RunnerInfo[]>;
  /** The live run's answer to a request; undefined when no live run uses the ledger. */
  ask(request: ControlRequest, timeoutMs?: number): Promise<ControlResponse | undefined>;
  /** The posts of its archives that the cap counts: today's, and with `withRecent` the last 24 hours'. */
  archivedPosts(options: Omit<ArchiveCountOptions, 'ledger' | 'archiveDir'>, withRecent?: boolean): Promise<ArchivedPosts>;
  /** Takes it to change it, as one command or as a run. */
  open(options: OpenStoreOptions): Promise<Store>;
  /** Archives the day under a new name and frees the ledger for the next day; never deletes. */
  resetDay(options: { now: number; log: (line: string) => void }): Promise<{ archivedTo: string | undefined }>;
  /**
   * Whether a file at `path` is the ledger itself or lies in its state folder: a report or an export
   * must never replace either.
   */
  ownsFile(path: string): Promise<'ledger' | 'state' | undefined>;
  /** Fills an empty ledger with a day (`daycap import`) at `now`; refuses one that holds any row. */
  load(day: LoadedDay, now: number): Promise<void>;
  /**
   * The daily cap the last seed, run or import given one recorded (docs/ledger.md); undefined when
   * none is. A damaged record is ignored, said through `warn`, never fatal. Reading never writes.
   */
  recordedCap(warn?: (line: string) => void): Promise<number | undefined>;
  /** Records the farm's daily cap on the ledger; a reset-day keeps it. */
  recordCap(cap: number): Promise<void>;
}

/**
 * A ledger in PostgreSQL, as `--ledger postgres://…#name` names it, shared by runs on several hosts.
 * Reading needs no lock (every read is a consistent query); operators' fixes are transactions of
 * their own that the runs hear of; pause, resume and stop reach every run on the ledger; reset-day
 * archives the day inside the database. docs/postgres.md.
 */
import { extraColumnsOf } from '../../ledger/codec.js';
import { DaycapError } from '../../errors.js';
import type { LedgerValidation } from '../../ledger/validate.js';
import type { ControlRequest, ControlResponse } from '../../runner/control-protocol.js';
import type { ArchiveCountOptions, ArchivedPosts } from '../file-archives.js';
import type { Ledger, LedgerRead, LoadedDay, RunnerInfo } from '../ledger.js';
import type { OpenStoreOptions, Store } from '../store.js';
import { validRecordedCap } from '../../core/day-cap.js';
import { archivedPostsOf, resetDayIn } from './archives.js';
import { Database, DEFAULT_RETRY_WINDOW_MS, type ConnectOptions } from './connection.js';
import { ensureLedgerRow } from './day-setup.js';
import { describeRunner, listRunners } from './leases.js';
import { channelOf, signalText } from './listen.js';
import { PgStore } from './pg-store.js';
import { ensureSchema, migrate } from './schema.js';
import { loadInto } from './transfer.js';
import { parsePgUrl, type PgLocation } from './url.js';
import { todaysRows } from './views.js';

export interface PgLedgerOptions {
  /** How long a run's claims stay its own without a renewal (default 30 s). */
  leaseMs?: number | undefined;
  /** How long to keep retrying while PostgreSQL cannot be reached (default 30 s). */
  retryWindowMs?: number | undefined;
}

export class PgLedger implements Ledger {
  readonly kind = 'database';
  readonly name: string;
  readonly location: PgLocation;

  constructor(url: string, private readonly options: PgLedgerOptions = {}) {
    this.location = parsePgUrl(url);
    this.name = this.location.display;
  }

  /** Relative video paths are resolved from where the command runs: a database has no folder. */
  get baseDir(): string {
    return process.cwd();
  }

  /** A connection for one call, the schema made current first; closed when the call ends. */
  private async using<T>(work: (db: Database) => Promise<T>): Promise<T> {
    const db = new Database(this.location, this.connectOptions());
    try {
      await ensureSchema(db);
      return await work(db);
    } finally {
      await db.close();
    }
  }

  /** A session stopped inside a transaction is ended after a lease: by then the others may take over what it holds. */
  private connectOptions(): ConnectOptions {
    return { retryWindowMs: this.options.retryWindowMs ?? DEFAULT_RETRY_WINDOW_MS, idleInTransactionMs: this.options.leaseMs };
  }

  private exists(db: Database): Promise<boolean> {
    return db.queryRetrying(`SELECT 1 FROM ${db.table('ledgers')} WHERE name = $1`, [this.location.ledger]).then((r) => (r.rowCount ?? 0) > 0);
  }

  async requireExisting(): Promise<void> {
    if (await this.using((db) => this.exists(db))) return;
    throw new DaycapError('LEDGER_MISSING', `no ledger named ${JSON.stringify(this.location.ledger)} in ${this.name.replace(/#.*$/, '')}`, {
      hint: "Check the name after # in the URL. A day's ledger is created by `daycap seed --ledger <url> --state <json>` (or --campaign <dir>), `daycap run` with one of those, or `daycap import --ledger <url> --from <csv>`.",
    });
  }

  /** The database can be reached and daycap's tables are there (created on first use). */
  async requireCreatable(): Promise<void> {
    await this.using(async () => undefined);
  }

  /** `daycap db migrate`: the schema brought to this daycap's version. */
  async migrate(): Promise<{ from: number; to: number }> {
    const db = new Database(this.location, this.connectOptions());
    try {
      return await migrate(db);
    } finally {
      await db.close();
    }
  }

  /** Rows in a database are always readable: a ledger is valid, or does not exist yet. */
  async validate(): Promise<LedgerValidation> {
    return this.using(async (db) => {
      const exists = await this.exists(db);
      return { ok: true, exists, jobs: exists ? await db.retrying(() => todaysRows(db.pool, db, this.location.ledger)) : [] };
    });
  }

  async read(): Promise<LedgerRead> {
    return this.using(async (db) => {
      const ledger = await db.queryRetrying<{ extra_columns: string[] }>(`SELECT extra_columns FROM ${db.table('ledgers')} WHERE name = $1`, [this.location.ledger]);
      const jobs = await db.retrying(() => todaysRows(db.pool, db, this.location.ledger));
      return { jobs, exists: (ledger.rowCount ?? 0) > 0, pendingRecords: 0, extraColumns: extraColumnsOf(jobs, ledger.rows[0]?.extra_columns ?? []) };
    });
  }

  async holder(): Promise<string | undefined> {
    const runs = await this.runners();
    return runs.length === 0 ? undefined : runs.map(describeRunner).join(', ');
  }

  runners(): Promise<RunnerInfo[]> {
    return this.using((db) => db.retrying(() => listRunners(db, this.location.ledger)));
  }

  /**
   * pause, resume and stop reach every live run (a flag in the database and a notification); the
   * other requests need no live run: the database is the live state, and a fix is a transaction of
   * its own that the runs hear of.
   */
  async ask(request: ControlRequest): Promise<ControlResponse | undefined> {
    if (request.op !== 'pause' && request.op !== 'resume' && request.op !== 'stop') return undefined;
    const { op } = request;
    return this.using(async (db) => {
      const runs = await listRunners(db, this.location.ledger);
      if (runs.length === 0) return undefined;
      const S = (table: string) => db.table(table);
      if (op === 'stop') await db.query(`UPDATE ${S('runners')} SET stop_requested = true WHERE ledger = $1 AND ended_at IS NULL AND lease_until > now()`, [this.location.ledger]);
      else await db.query(`UPDATE ${S('ledgers')} SET paused = $2 WHERE name = $1`, [this.location.ledger, op === 'pause']);
      await db.query('SELECT pg_notify($1, $2)', [channelOf(this.location.schema, this.location.ledger), signalText({ kind: 'control', op, from: 'daycap' })]);
      const message = op === 'pause'
        ? 'claiming paused on every run of the ledger; jobs in flight go on (resume with `daycap resume`)'
        : op === 'resume' ? 'claiming resumed on every run of the ledger' : 'stopping every run of the ledger: no new claims; jobs in flight get each run\'s grace period to finish';
      return { ok: true as const, pid: runs[0]!.pid, runId: runs[0]!.runId, message, runs };
    });
  }

  archivedPosts(options: Omit<ArchiveCountOptions, 'ledger' | 'archiveDir'>, withRecent = false): Promise<ArchivedPosts> {
    return this.using((db) => archivedPostsOf(db, this.location.ledger, options, withRecent));
  }

  /** The store keeps its own connection until it is closed. */
  async open(options: OpenStoreOptions): Promise<Store> {
    const db = new Database(this.location, this.connectOptions());
    try {
      await ensureSchema(db);
      return await PgStore.open(db, { ...options, leaseMs: this.options.leaseMs });
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  async resetDay(options: { now: number; log: (line: string) => void }): Promise<{ archivedTo: string | undefined }> {
    const label = await this.using((db) => resetDayIn(db, this.location.ledger, options.now));
    return { archivedTo: label === undefined ? undefined : `${label} (inside ${this.name})` };
  }

  /** A database ledger has no file that a report or an export could replace. */
  async ownsFile(): Promise<undefined> {
    return undefined;
  }

  load(day: LoadedDay, now: number): Promise<void> {
    return this.using((db) => loadInto(db, this.location.ledger, day, now));
  }

  /** The `cap` column of the ledger's row: one cap for every host that shares the ledger. */
  recordedCap(warn?: (line: string) => void): Promise<number | undefined> {
    return this.using(async (db) => {
      const found = await db.queryRetrying<{ cap: number | null }>(`SELECT cap FROM ${db.table('ledgers')} WHERE name = $1`, [this.location.ledger]);
      const cap = found.rows[0]?.cap ?? undefined;
      if (cap === undefined) return undefined;
      const valid = validRecordedCap(cap);
      if (valid === undefined) warn?.(`warning: the ledger's recorded cap (${cap}) was ignored: it is not a cap of 1 or more; give --cap to seed or run to record it again`);
      return valid;
    });
  }

  recordCap(cap: number): Promise<void> {
    return this.using(async (db) => {
      await db.retrying(() => ensureLedgerRow(db.pool, db, this.location.ledger));
      await db.queryRetrying(`UPDATE ${db.table('ledgers')} SET cap = $2 WHERE name = $1`, [this.location.ledger, cap]);
    });
  }
}

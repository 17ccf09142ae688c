/**
 * The store of a ledger in PostgreSQL, shared by runs on several hosts. Every change is one
 * transaction (see day-step.ts): fenced by the run's lease, it locks the accounts it touches, lets the
 * rules of one machine decide on a small day of just their rows, writes back what changed and
 * commits; only then does the call resolve (G3). The exchanges that arrive while one transaction
 * runs go together in the next, so one round trip serves several idle workers. docs/postgres.md.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Claim } from '../../core/day-state.js';
import type { Job } from '../../core/job.js';
import { summarize } from '../../core/summary.js';
import { timeFormatter, type FormatTime } from '../../core/time.js';
import { DaycapError, StorageError } from '../../errors.js';
import { applyReport } from '../steps.js';
import type { Action, Acted, DayRules, Exchange, Exchanged, OpenStoreOptions, Outlook, Store, StoreNews, Tally } from '../store.js';
import { Database, errorText } from './connection.js';
import { actIn } from './acts.js';
import { BULK_ROWS, ensureLedgerRow, refreshStatistics, reindexIfRulesChanged, timeFormatOf } from './day-setup.js';
import { loadStep, writeStep, type DayContext, type LoadedStep } from './day-step.js';
import { DEFAULT_LEASE_MS, endRunner, registerRunner, renewLease, type RunnerIdentity } from './leases.js';
import { channelOf, signalText } from './listen.js';
import { readinessOf } from './readiness.js';
import { SharedRun } from './shared-run.js';
import { LeaseLostError, transact } from './transact.js';
import { blockersOf, outlookOf, tallyOf, todaysRows } from './views.js';

export interface PgStoreOptions extends OpenStoreOptions {
  /** How long a run's claims stay its own without a renewal (default 30 s). */
  leaseMs?: number | undefined;
}

type Queued =
  | { kind: 'exchange'; step: Exchange; resolve: (value: Exchanged) => void; reject: (error: unknown) => void }
  | { kind: 'act'; action: Action; now: number; resolve: (value: Acted) => void; reject: (error: unknown) => void };

/** Exchanges that wait while a transaction runs go together in the next one, up to this many. */
const MAX_BATCH = 64;

export class PgStore implements Store {
  readonly notices: string[] = [];
  readonly recoveredRecords = undefined;
  readonly tookOverFrom = undefined;
  readonly shared = true;
  /** Tells this store's own notifications from others'. */
  readonly id = randomBytes(6).toString('hex');
  readonly channel: string;
  private readonly listeners = new Set<(news: StoreNews) => void>();
  private readonly queue: Queued[] = [];
  private pumping = false;
  private broken: StoreNews | undefined;
  private closing: Promise<void> | undefined;
  private shared_: SharedRun | undefined;
  private lastTally: Tally | undefined;
  private readonly ctx: DayContext;

  private constructor(
    readonly ledger: string,
    private readonly db: Database,
    private readonly name: string,
    readonly rules: DayRules,
    formatTime: FormatTime,
    /** The run this store serves, fenced by its lease; none for a one-shot command. */
    readonly run: RunnerIdentity | undefined,
  ) {
    this.channel = channelOf(db.location.schema, name);
    this.ctx = { db, rules, formatTime };
  }

  /** Creates the ledger if needed, registers the run and its lease, and works readiness out again if the run's rules changed. */
  static async open(db: Database, options: PgStoreOptions): Promise<PgStore> {
    const name = db.location.ledger;
    await db.retrying(() => ensureLedgerRow(db.pool, db, name));
    const archived = await options.readArchived?.();
    const rules: DayRules = { ...options.rules, ...(archived?.today ? { archivedToday: archived.today } : {}), ...(archived?.recent ? { pastPosts: archived.recent } : {}) };
    const asRun = options.durability === 'journal' && options.runId !== undefined;
    const format = await timeFormatOf(db, name, rules.timeFormat, asRun);
    const run = asRun ? { ledger: name, runId: options.runId!, command: options.command, leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS } : undefined;
    const store = new PgStore(db.location.display, db, name, rules, timeFormatter(format), run);
    if (run) {
      if (!(await db.retrying(() => registerRunner(db, run)))) {
        throw new DaycapError('RUN_ID_IN_USE', `a live run on ${db.location.display} already uses run id ${run.runId}`, { exitCode: 3 });
      }
      const clock = options.clock ?? Date.now;
      await transact(db, run, async (client, step) => {
        await store.fence(client, step);
        return reindexIfRulesChanged(client, store.ctx, name, clock());
      });
      store.shared_ = new SharedRun(store, db, run, clock, (news) => store.publish(news), (reason, message) => store.fail(reason, message));
      store.shared_.startLease();
    }
    return store;
  }

  exchange(step: Exchange): Promise<Exchanged> {
    return this.enqueue((resolve, reject) => ({ kind: 'exchange', step, resolve, reject }));
  }

  act(action: Action, now: number): Promise<Acted> {
    return this.enqueue((resolve, reject) => ({ kind: 'act', action, now, resolve, reject }));
  }

  outlook(now: number, maxPasses: number): Promise<Outlook> {
    return this.reading((db) => outlookOf(db, this.name, this.run?.runId ?? '', this.rules.pacing, now, maxPasses));
  }

  blockers(now: number) {
    return this.reading((db) => blockersOf(db, this.name, this.rules.pacing, now));
  }

  /** The counts; once the store has failed or closed and the database cannot say, the last counts it gave. */
  async tally(): Promise<Tally> {
    try {
      this.lastTally = await this.reading((db) => tallyOf(db, this.name));
    } catch (error) {
      if (!this.lastTally || !(this.broken || this.closing)) throw error;
    }
    return this.lastTally;
  }

  async summary(now: number) {
    const rows = await this.rows();
    return summarize(rows, this.rules.cap, now, this.rules.health, this.rules.archivedToday);
  }

  rows(): Promise<Job[]> {
    return this.reading((db) => todaysRows(db.pool, db, this.name));
  }

  subscribe(listener: (news: StoreNews) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Listens for other runs' changes and the operator's controls, and adopts the claims of runs whose lease ran out. */
  async watch(): Promise<void> {
    await this.shared_?.watch();
  }

  close(options: { final: boolean; label: string }): Promise<void> {
    this.closing ??= this.doClose(options);
    return this.closing;
  }

  // ---- the transactions ----

  private enqueue<T>(make: (resolve: (value: T) => void, reject: (error: unknown) => void) => Queued): Promise<T> {
    if (this.broken) return Promise.reject(this.brokenError());
    return new Promise<T>((resolve, reject) => {
      this.queue.push(make(resolve, reject));
      this.pump();
    });
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void (async () => {
      while (this.queue.length > 0) {
        const first = this.queue[0]!;
        const batch = first.kind === 'act' ? this.queue.splice(0, 1) : this.queue.splice(0, leadingExchanges(this.queue));
        await this.runBatch(batch);
      }
      this.pumping = false;
    })();
  }

  private async runBatch(batch: Queued[]): Promise<void> {
    if (this.broken) {
      for (const item of batch) item.reject(this.brokenError());
      return;
    }
    try {
      if (batch[0]!.kind === 'act') {
        const item = batch[0] as Extract<Queued, { kind: 'act' }>;
        const acted = await transact(this.db, this.run, (client, step) => this.actStep(client, step, item.action, item.now));
        if (item.action.kind === 'add' && item.action.jobs.length >= BULK_ROWS) await refreshStatistics(this.db);
        item.resolve(acted);
        return;
      }
      const items = batch as Array<Extract<Queued, { kind: 'exchange' }>>;
      const results = await transact(this.db, this.run, (client, step) => this.exchangeStep(client, step, items.map((item) => item.step)));
      results.forEach((result, i) => ('error' in result ? items[i]!.reject(result.error) : items[i]!.resolve(result.value)));
    } catch (error) {
      // A rule refused an operator's action (a duplicate job, an unknown one): that call fails, the store goes on.
      const refusal = error instanceof DaycapError && error.operatorError && !(error instanceof StorageError) && !(error instanceof LeaseLostError);
      if (!refusal) this.fail(error instanceof LeaseLostError ? 'lock-lost' : 'storage-failed', error instanceof DaycapError ? error.message : `could not write to ${this.ledger}: ${errorText(error)}`);
      const rejection = refusal ? error : this.brokenError(error);
      for (const item of batch) item.reject(rejection);
    }
  }

  /** The first step of every write of a run: its lease renewed, or the write refused. */
  async fence(client: pg.PoolClient, step: string): Promise<void> {
    if (!this.run) return;
    const renewal = await renewLease(client, this.db, this.run, step);
    if (!renewal) throw new LeaseLostError(this.run.runId);
    this.shared_?.noteControls(renewal);
  }

  /**
   * BEGIN, lock and load, write (the lease fenced in the same statement), COMMIT: four round trips
   * for every exchange waiting, together.
   */
  private async exchangeStep(client: pg.PoolClient, step: string, exchanges: readonly Exchange[]): Promise<Array<{ value: Exchanged } | { error: unknown }>> {
    const now = Math.max(...exchanges.map((e) => e.now));
    const want = exchanges.reduce((sum, e) => sum + e.want, 0);
    const loaded = await loadStep(client, this.ctx, {
      ledger: this.name, now, jobsOf: exchanges.flatMap((e) => e.reports.map((r) => r.jobId)),
      // A few more than wanted: an account whose readiness was worked out early is passed over.
      candidates: want === 0 ? 0 : want + Math.min(want, 4),
    });
    const { day } = loaded;
    const changed = new Map<string, Job | undefined>();
    const results = exchanges.map((exchange) => {
      day.beginStep();
      try {
        const settled = exchange.reports.map((report) => applyReport(day, report, exchange.now, this.rules));
        const claimed: Claim[] = [];
        for (let want = exchange.want; want > 0; want--) {
          const claim = day.claimNext({ workerId: exchange.workerId, runId: exchange.runId, now: exchange.now });
          if (!claim) break;
          claimed.push(claim);
        }
        for (const [id, before] of day.endStep().rows) if (!changed.has(id)) changed.set(id, before);
        return { value: { settled, claimed, capSkips: day.drainCapSkips(), news: day.drainNews() } };
      } catch (error) {
        day.undo(day.endStep());
        day.drainCapSkips();
        day.drainNews();
        return { error };
      }
    });
    // A report the rules refuse is a claim that is no longer this run's: most likely its lease ran out.
    if (results.some((result) => 'error' in result)) await this.fence(client, step);
    await this.writeBack(client, loaded, changed, now, false, step);
    return results;
  }

  private async actStep(client: pg.PoolClient, step: string, action: Action, now: number): Promise<Acted> {
    await this.fence(client, step);
    const acted = await actIn(client, this.ctx, { ledger: this.name, action, now });
    await this.writeBack(client, acted.loaded, acted.changedRows, now, acted.changed.length > 0);
    return { changed: acted.changed, news: acted.news, capSkips: acted.capSkips };
  }

  /**
   * Writes a step's changed rows and the readiness of every locked account whose readiness changed;
   * tells others when work was freed. With `step`, the write is fenced by the run's lease (a step
   * that writes nothing needs no fence: it changed nothing).
   */
  private async writeBack(client: pg.PoolClient, loaded: LoadedStep, changed: ReadonlyMap<string, Job | undefined>, now: number, alwaysTell = false, step?: string): Promise<void> {
    const { day, accounts } = loaded;
    const updated: Job[] = [];
    const inserted: Job[] = [];
    for (const [id, before] of changed) {
      const row = day.get(id) as Job | undefined;
      if (row && row !== before) (before ? updated : inserted).push(row);
    }
    let freed = alwaysTell || inserted.length > 0;
    const readiness = readinessOf(day, accounts.keys(), now, this.run !== undefined).filter((r) => {
      const old = accounts.get(r.account)!;
      const wasReady = old.readyAt !== null && old.readyAt <= now;
      if (r.readyAt !== null && r.readyAt <= now && !wasReady) freed = true;
      return r.readyAt !== old.readyAt || r.hold !== old.hold || r.streak !== old.streak;
    });
    if (updated.length === 0 && inserted.length === 0 && readiness.length === 0) return;
    const notify = freed ? ([this.channel, signalText({ kind: 'changed', from: this.id })] as const) : undefined;
    const fence = step !== undefined && this.run ? { run: this.run, step } : undefined;
    const renewal = await writeStep(client, this.db, { ledger: this.name, updated, inserted, readiness, notify }, fence);
    if (fence && !renewal) throw new LeaseLostError(this.run!.runId);
    if (fence && renewal) this.shared_?.noteControls(renewal);
  }

  // ---- failure and the end ----

  /**
   * A read, retried while the database cannot be reached; past the retry window the run stops. Once
   * closed (the run's summary is read after the end) it reads over a connection of its own.
   */
  private async reading<T>(read: (db: Database) => Promise<T>): Promise<T> {
    if (this.closing) {
      // After a failure, once is enough: the run is ending and only wants its last counts.
      const db = new Database(this.db.location, { retryWindowMs: this.broken ? 0 : this.db.retryWindowMs, maxConnections: 3, idleInTransactionMs: this.run?.leaseMs });
      try {
        return await db.retrying(() => read(db));
      } finally {
        await db.close();
      }
    }
    try {
      return await this.db.retrying(() => read(this.db));
    } catch (error) {
      if (error instanceof StorageError) this.fail('storage-failed', error.message);
      throw error;
    }
  }

  fail(reason: 'storage-failed' | 'lock-lost', message: string): void {
    if (this.broken) return;
    this.broken = { kind: 'failed', reason, message };
    this.publish(this.broken);
  }

  private brokenError(cause?: unknown): StorageError {
    return new StorageError(this.broken?.kind === 'failed' ? this.broken.message : 'the store can no longer write', cause === undefined ? {} : { cause });
  }

  publish(news: StoreNews): void {
    for (const listener of this.listeners) listener(news);
  }

  private async doClose(options: { final: boolean; label: string }): Promise<void> {
    await this.shared_?.stop();
    if (this.run) {
      // Its claims left in flight (if any) are adopted by the other runs at once, rather than after the lease.
      const reason = options.final ? 'ended' : 'stopped after a failure';
      await endRunner(this.db, this.run, reason).catch(() => undefined);
      await this.db.query('SELECT pg_notify($1, $2)', [this.channel, signalText({ kind: 'changed', from: this.id })]).catch(() => undefined);
    }
    await this.db.close();
  }
}

/** How many exchanges lead the queue (a batch stops at the first act). */
function leadingExchanges(queue: readonly Queued[]): number {
  let n = 0;
  while (n < queue.length && n < MAX_BATCH && queue[n]!.kind === 'exchange') n += 1;
  return n;
}

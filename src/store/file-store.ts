/**
 * The store of one machine: the day in memory (core/day-state.ts) over the CSV ledger, its journal
 * and its lock (src/ledger). A step is applied in memory and appended to the journal; if the append
 * fails the step is undone, so memory never runs ahead of the disk. A run journals every step (a
 * shared fdatasync) and rewrites the CSV every O(rows) steps; a one-shot command rewrites the CSV
 * atomically after its one step. docs/design.md#the-store-seam-srcstore and docs/guarantees.md (G3, G4, G7).
 */
import { DayState, type Claim } from '../core/day-state.js';
import type { Job } from '../core/job.js';
import { ledgerTimeFormat, timeFormatter } from '../core/time.js';
import { summarize } from '../core/summary.js';
import { StorageError } from '../errors.js';
import { LedgerStore, tornTailWarning } from '../ledger/store.js';
import { ExternalEdits } from './file-edits.js';
import { applyAction, applyReport } from './steps.js';
import { UndurableSteps } from './undurable-steps.js';
import type { Action, Acted, ArchivedHistory, DayRules, Exchange, Exchanged, OpenStoreOptions, Outlook, Store, StoreNews, Tally } from './store.js';

/** A run journals each step; a one-shot command (`snapshot`) rewrites the CSV after its step. */
export interface FileStoreOptions extends OpenStoreOptions {
  staleMs?: number | undefined;
}

export class FileStore implements Store {
  readonly notices: string[] = [];
  readonly shared = false;
  private readonly listeners = new Set<(news: StoreNews) => void>();
  /** Steps applied in memory whose records the journal does not hold durably yet. */
  private readonly steps: UndurableSteps;
  private broken: StoreNews | undefined;
  private edits: ExternalEdits | undefined;
  private snapshotting: Promise<void> | undefined;
  private snapshotRequested = false;
  private closing: Promise<void> | undefined;
  private readonly clock: () => number;

  private constructor(readonly ledger: string, private readonly files: LedgerStore, private readonly day: DayState, private readonly options: FileStoreOptions) {
    this.clock = options.clock ?? Date.now;
    this.steps = new UndurableSteps(day, files);
    const torn = tornTailWarning(files.recovered);
    if (torn) this.notices.push(torn);
  }

  /** Takes the lock, folds in the journal of a run that died, and loads the day. */
  static async open(ledger: string, options: FileStoreOptions): Promise<FileStore> {
    let store: FileStore | undefined;
    const files = await LedgerStore.open(ledger, {
      command: options.command,
      ...(options.staleMs === undefined ? {} : { staleMs: options.staleMs }),
      ...(options.fileOps ? { ops: options.fileOps } : {}),
      onCompromised: (error) => store?.fail('lock-lost', `the ledger lock was lost (${error.message}); writing nothing more`),
    });
    try {
      const archived = await options.readArchived?.();
      const rules: DayRules = { ...options.rules, ...(archived?.today ? { archivedToday: archived.today } : {}), ...(archived?.recent ? { pastPosts: archived.recent } : {}) };
      // The day takes the loaded rows over; the files keep no second copy.
      const day = new DayState(files.jobs, {
        cap: rules.cap, adopt: true, health: rules.health, pacing: rules.pacing,
        // Times are written in the convention the ledger already uses.
        formatTime: timeFormatter(ledgerTimeFormat(files.jobs, rules.timeFormat)),
        ...(rules.pastPosts ? { pastPosts: rules.pastPosts } : {}),
        ...(rules.archivedToday ? { archivedToday: rules.archivedToday } : {}),
        ...(rules.random ? { random: rules.random } : {}),
      });
      files.jobs = [];
      store = new FileStore(ledger, files, day, options);
      return store;
    } catch (error) {
      await files.close(undefined, 'refused').catch(() => undefined);
      throw error;
    }
  }

  get recoveredRecords(): number | undefined {
    return this.files.recovered?.records;
  }

  get tookOverFrom(): string | undefined {
    return this.files.lock?.tookOverFrom;
  }

  async exchange(step: Exchange): Promise<Exchanged> {
    const { day } = this;
    const claimed: Claim[] = [];
    const settled = this.record(() => {
      const rows = step.reports.map((report) => applyReport(day, report, step.now, this.options.rules));
      for (let want = step.want; want > 0; want--) {
        const claim = day.claimNext({ workerId: step.workerId, runId: step.runId, now: step.now });
        if (!claim) break;
        claimed.push(claim);
      }
      return rows;
    });
    const capSkips = day.drainCapSkips();
    const news = day.drainNews();
    await this.makeDurable([...settled, ...claimed.map((claim) => claim.job)]);
    return { settled, claimed, capSkips, news };
  }

  async act(action: Action, now: number): Promise<Acted> {
    const changed = this.record(() => applyAction(this.day, action, now, this.options.rules));
    const news = this.day.drainNews();
    const capSkips = this.day.drainCapSkips();
    await this.makeDurable(changed);
    return { changed, news, capSkips };
  }

  async outlook(now: number, maxPasses: number): Promise<Outlook> {
    const { day } = this;
    return { claimable: day.claimableNow(now), retry: day.nextRetryWithin(now, maxPasses), global: day.heldGlobally(now), nextAccountAt: day.nextAccountAt(now), othersInFlight: 0 };
  }

  async blockers(now: number) {
    return this.day.blockers(now);
  }

  async tally(): Promise<Tally> {
    return { jobs: this.day.size, counts: this.day.statusCounts(), unassigned: this.day.unassigned };
  }

  async summary(now: number) {
    return summarize([...this.day.rows()], this.day.cap, now, this.day.health, this.day.archivedToday);
  }

  async rows(): Promise<Job[]> {
    return this.day.all();
  }

  subscribe(listener: (news: StoreNews) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async watch(): Promise<void> {
    if (this.edits) return;
    this.edits = new ExternalEdits({
      ledger: this.ledger,
      files: this.files,
      day: this.day,
      clock: this.clock,
      step: async (apply) => {
        const changed = this.record(apply);
        const news = this.day.drainNews();
        const capSkips = this.day.drainCapSkips();
        await this.makeDurable(changed);
        return { changed, news, capSkips };
      },
      requestSnapshot: () => this.requestSnapshot(),
      publish: (news) => this.publish(news),
      isSnapshotting: () => this.files.writingHash !== undefined,
      onError: (error) => this.publish({ kind: 'warning', message: `handling an outside edit of the ledger failed: ${errorMessage(error)}` }),
      settleMs: this.options.watchSettleMs,
      pollMs: this.options.watchPollMs,
    });
    await this.edits.ready;
  }

  close(options: { final: boolean; label: string }): Promise<void> {
    this.closing ??= this.doClose(options);
    return this.closing;
  }

  // ---- durability ----

  /** Runs one step's changes to the day, recorded so that they can be undone. */
  private record<T>(apply: () => T): T {
    if (this.broken) throw this.brokenError();
    return this.steps.record(apply);
  }

  /** Resolves once `changed` is durable; otherwise undoes every step not yet durable and rejects. */
  private async makeDurable(changed: readonly Job[]): Promise<void> {
    if (changed.length === 0) return;
    try {
      if (this.options.durability === 'journal') {
        const writing = this.files.commit(changed);
        this.steps.handedOver();
        await writing;
      } else {
        await this.files.snapshot([...this.day.rows()]);
        this.steps.allDurable();
      }
    } catch (error) {
      const lost = this.files.lock?.compromised === true;
      // No new step and no new snapshot from here on.
      this.fail(lost ? 'lock-lost' : 'storage-failed', `could not write the ${this.options.durability === 'journal' ? 'journal' : 'ledger'}: ${errorMessage(error)}`);
      this.steps.undo();
      throw error instanceof StorageError ? error : new StorageError(errorMessage(error), { cause: error });
    }
    this.steps.settle();
    if (this.options.durability === 'journal' && this.files.shouldSnapshot(this.day.size, this.clock())) this.requestSnapshot();
  }

  private fail(reason: 'storage-failed' | 'lock-lost', message: string): void {
    if (this.broken) return;
    this.broken = { kind: 'failed', reason, message };
    this.publish(this.broken);
  }

  private brokenError(): StorageError {
    return new StorageError(this.broken?.kind === 'failed' ? this.broken.message : 'the store can no longer write');
  }

  private publish(news: StoreNews): void {
    for (const listener of this.listeners) listener(news);
  }

  // ---- snapshots ----

  private requestSnapshot(): void {
    this.snapshotRequested = true;
    this.snapshotting ??= this.writeSnapshots().finally(() => (this.snapshotting = undefined));
  }

  /** One snapshot at a time; a request made during one is served by the next turn of the loop. */
  private async writeSnapshots(): Promise<void> {
    try {
      while (this.snapshotRequested && !this.broken && !this.closing) {
        this.snapshotRequested = false;
        // An edit already on disk is merged before daycap replaces the file (G7).
        await this.edits?.settle();
        if (this.broken || this.closing) break;
        // Serialized in one synchronous stretch, as the durable journal has it: steps whose records
        // are still being synced are left out, so the file never holds what a failed sync undoes.
        const { rows, covering } = this.steps.durableRows();
        await this.files.snapshot(rows, covering);
        this.edits?.noteOwnWrite();
        this.publish({ kind: 'ledger-written', rows: this.day.size });
      }
    } catch (error) {
      this.fail(this.files.lock?.compromised ? 'lock-lost' : 'storage-failed', `could not write the ledger: ${errorMessage(error)}`);
    }
  }

  private async doClose(options: { final: boolean; label: string }): Promise<void> {
    await this.snapshotting;
    if (!options.final || this.broken) {
      await this.edits?.close().catch(() => undefined);
      await this.files.close(undefined, options.label);
      return;
    }
    try {
      await this.edits?.settle().catch((error: unknown) => this.publish({ kind: 'warning', message: `reading an outside edit failed: ${errorMessage(error)}` }));
      await this.files.close([...this.day.rows()], options.label);
      this.edits?.noteOwnWrite();
      await this.edits?.close();
      this.publish({ kind: 'ledger-written', rows: this.day.size });
    } catch (error) {
      // The old CSV is intact (atomic write) and the journal, left active, holds every change for the next start.
      this.fail(this.files.lock?.compromised ? 'lock-lost' : 'storage-failed', `could not write the ledger: ${errorMessage(error)}`);
      await this.edits?.close().catch(() => undefined);
      await this.files.close(undefined, options.label).catch(() => undefined);
      throw error;
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The durable store behind every mutating command: lock, crash recovery, journaled commits and
 * atomic CSV snapshots. Commits are cheap (a shared fdatasync); snapshots cost O(rows) and happen
 * every O(rows) commits, so each transition costs amortized O(1).
 */

import type { Job } from '../core/job.js';
import { cleanupStaleTemps, writeFileAtomic } from './atomic.js';
import { keepDigest } from './digest-file.js';
import { extraColumnsOf, serializeLedger, serializeLedgerChunks } from './codec.js';
import { realFileOps, type FileOps } from './fileOps.js';
import { Journal } from './journal.js';
import { readJournal, type TornTail } from './journalRead.js';
import { sealJournal } from './journalSeal.js';
import { acquireLedgerLock, guardWrites, type LedgerLock, type LockTiming } from './lock/index.js';
import { digestPath, ensureStateDir, journalPath, ownerPath } from './paths.js';
import { readLedgerFile } from './read.js';
import { replay } from './replay.js';
import { sha256 } from './watch-judge.js';

export { readLedgerFile, readLedgerView, type LedgerFile, type LedgerView } from './read.js';

export interface StoreOptions extends LockTiming {
  /** As the operator typed it ('daycap run'); shown to anyone who finds the ledger locked. */
  command: string;
  /** Default true. Without it the caller must already hold the lock. */
  lock?: boolean;
  onCompromised?: (err: Error) => void;
  ops?: FileOps;
  /** Clock for sealed journal names; injected by tests. */
  now?: () => number;
}

export interface Recovery {
  /** Journal records of a run that died, now folded into the CSV. */
  records: number;
  tornTail?: TornTail;
  /** Where that journal was sealed. */
  sealedTo?: string;
  /** Where the torn tail's bytes were kept (beside the sealed journal). */
  tornKeptAs?: string;
}

/**
 * What an operator must be told when the journal of a run that died ended in a torn record: the
 * change in that record is lost (only it: a crash can only tear the end). Undefined when nothing was torn.
 */
export function tornTailWarning(recovered: Recovery | undefined): string | undefined {
  const torn = recovered?.tornTail;
  if (!torn) return undefined;
  const keptAs = recovered.tornKeptAs;
  return `the journal of a run that died ended in a torn record (${torn.reason}; ${torn.length} bytes at byte ${torn.offset}), as a crash mid-write leaves it: that record was not applied${keptAs ? `; its bytes are kept in ${keptAs}` : ''}`;
}

/** Snapshot at least this often (in records), however small the ledger. */
const MIN_RECORDS_PER_SNAPSHOT = 1000;
const MAX_SNAPSHOT_AGE_MS = 30_000;

export class LedgerStore {
  /** sha256 (hex) of the last CSV bytes this store wrote: tells our own writes from an outside edit. */
  lastWrittenHash: string | undefined;
  /** The hash of a snapshot being written right now: an outside observer may already see those bytes. */
  writingHash: string | undefined;
  /** The CSV bytes daycap last wrote (or loaded), in the pieces they were written in: bytes, not decoded text, as they take half the memory. */
  private lastWritten: Buffer[] = [];
  private journal: Promise<Journal> | undefined;
  /** The journal once open: whether its last write failed is known at once, not a turn later. */
  private openedJournal: Journal | undefined;
  /** Records the journal held when this store opened it (none: a dead run's journal is sealed at open). */
  private journalBase = 0;
  /** Records handed to commit(), counted when called: the caller has applied them in memory by then. */
  private requested = 0;
  /** `requested` as it was when the last successful snapshot started. */
  private covered = 0;
  private windowStart: number | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly path: string,
    /** The rows as loaded (after recovery), in file order. Commands may replace it after a snapshot. */
    public jobs: Job[],
    public extraColumns: string[],
    readonly lock: LedgerLock | undefined,
    readonly recovered: Recovery | undefined,
    /** The file layer this store writes through (guarded by the lock): for files written beside the ledger. */
    readonly ops: FileOps,
    private readonly now: () => number,
  ) {}

  /**
   * Takes the lock, removes temp files of killed writes, reads the CSV (InputError if it does not
   * parse, with the lock released), and folds in the journal of a run that died: replayed, written
   * to the CSV, sealed as 'recovered'.
   */
  static async open(path: string, opts: StoreOptions): Promise<LedgerStore> {
    const now = opts.now ?? Date.now;
    const lock = opts.lock === false ? undefined : await acquireLedgerLock(path, {
      command: opts.command,
      staleMs: opts.staleMs,
      ...(opts.onCompromised ? { onCompromised: opts.onCompromised } : {}),
    });
    // The one lock check of this store: every write goes through these guarded file operations, so a
    // holder whose lock was taken over (it was stopped past the stale time) writes nothing more from
    // the moment it could know (G6), and such a write rejects with LOCK_COMPROMISED.
    const ops = lock ? guardWrites(opts.ops ?? realFileOps, lock) : opts.ops ?? realFileOps;
    try {
      await cleanupStaleTemps(path, { ops });
      await cleanupStaleTemps(ownerPath(path), { ops });
      await cleanupStaleTemps(digestPath(path), { ops });
      const file = await readLedgerFile(path);
      let jobs = file.parsed?.jobs ?? [];
      let extraColumns = file.parsed?.extraColumns ?? [];
      let lastWrittenHash: string | undefined = file.exists ? sha256(file.bytes) : undefined;
      let loaded = file.exists ? file.bytes : Buffer.alloc(0);
      let recovered: Recovery | undefined;
      const journal = await readJournal(journalPath(path), ops);
      if (journal.exists) {
        if (journal.jobs.length > 0) {
          jobs = replay(jobs, journal.jobs);
          extraColumns = extraColumnsOf(journal.jobs, extraColumns);
          const bytes = Buffer.from(serializeLedger(jobs, extraColumns));
          await writeFileAtomic(path, bytes, ops);
          lastWrittenHash = sha256(bytes);
          loaded = bytes;
        }
        const sealedTo = await sealJournal(path, 'recovered', { ops, now: now(), tornTail: journal.tornTail, intact: !journal.tornTail });
        recovered = { records: journal.jobs.length };
        if (journal.tornTail) recovered.tornTail = journal.tornTail;
        if (sealedTo) recovered.sealedTo = sealedTo;
        if (sealedTo && journal.tornTail) recovered.tornKeptAs = sealedTo.replace(/\.jsonl$/, '.torn');
      }
      const store = new LedgerStore(path, jobs, extraColumns, lock, recovered, ops, now);
      store.lastWrittenHash = lastWrittenHash;
      store.lastWritten = [loaded];
      return store;
    } catch (err) {
      await lock?.release().catch(() => undefined);
      throw err;
    }
  }

  /**
   * False once the lock is lost (checked now, see LedgerLock.assertHeld): for a caller that must
   * decide without writing (an outside edit is not merged then). Writes need not ask: they are guarded.
   */
  holdsLock(): boolean {
    try {
      this.lock?.assertHeld();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Resolves once these rows are durable in the journal (G3). Rows already changed in memory.
   * Once the lock is lost it rejects with LOCK_COMPROMISED, refused by the guarded write (a commit
   * of no rows writes nothing, so it checks nothing).
   */
  /** Records handed to commit so far, counted when called; they reach the journal in that order. */
  get committed(): number {
    return this.requested;
  }

  /** Of those, the records known durable; known the moment their sync returns. */
  get durable(): number {
    return this.openedJournal ? this.openedJournal.records - this.journalBase : 0;
  }

  async commit(changed: readonly Job[]): Promise<void> {
    if (changed.length === 0) return;
    this.requested += changed.length;
    this.journal ??= this.openJournal();
    await (await this.journal).append(changed);
  }

  private async openJournal(): Promise<Journal> {
    await ensureStateDir(this.path, this.ops);
    this.openedJournal = await Journal.open(journalPath(this.path), this.ops);
    this.journalBase = this.openedJournal.records;
    return this.openedJournal;
  }

  /**
   * Writes every row to the CSV atomically. The rows are serialized in one synchronous stretch, so
   * the file is one consistent moment even while transitions go on during the write; the text is
   * kept as `lastWrittenBytes()`, the base an outside edit is merged against (G7). Like commit,
   * refused with LOCK_COMPROMISED once the lock is lost.
   */
  /**
   * `covering`: how many committed records the rows reflect (default: every one committed so far).
   * A caller that leaves out changes not yet durable says so, and the journal is then kept until a
   * later snapshot covers the rest.
   */
  async snapshot(all: readonly Job[], covering = this.requested): Promise<void> {
    // After a failed journal write nothing more is written: the disk cannot be trusted.
    const failure = this.openedJournal?.failure;
    if (failure) throw failure;
    const extraColumns = extraColumnsOf(all, this.extraColumns);
    // Encoded once: the same bytes are hashed, written and kept as the merge base.
    const chunks = Array.from(serializeLedgerChunks(all, extraColumns), (chunk) => Buffer.from(chunk));
    const digest = sha256(chunks);
    this.writingHash = digest;
    try {
      await writeFileAtomic(this.path, chunks, this.ops);
    } finally {
      this.writingHash = undefined;
    }
    this.extraColumns = extraColumns;
    this.lastWrittenHash = digest;
    this.lastWritten = chunks;
    this.covered = Math.max(this.covered, covering);
    this.windowStart = undefined;
  }

  /** The CSV bytes daycap last wrote (or loaded): what the file holds unless someone else edited it. */
  lastWrittenBytes(): Buffer {
    return this.lastWritten.length === 1 ? this.lastWritten[0]! : Buffer.concat(this.lastWritten);
  }

  /**
   * Time for a snapshot: enough records that rewriting every row is cheap per record, or some
   * records and 30 s (by the caller's clock, counted from its first check after a snapshot), so the
   * CSV that people open during a run is never far behind.
   */
  shouldSnapshot(rowCount: number, now: number): boolean {
    const pending = this.requested - this.covered;
    this.windowStart ??= now;
    if (pending >= Math.max(MIN_RECORDS_PER_SNAPSHOT, rowCount)) return true;
    return pending >= 1 && now - this.windowStart >= MAX_SNAPSHOT_AGE_MS;
  }

  /**
   * Snapshots `all` if the journal holds anything newer, seals the journal, releases the lock.
   * Without `all`, journaled changes are not lost either: the journal then stays active and the
   * next open folds it in. With a lost lock nothing is written at all. Idempotent.
   */
  close(all: readonly Job[] | undefined, runLabel: string): Promise<void> {
    this.closing ??= this.doClose(all, runLabel);
    return this.closing;
  }

  /**
   * `all` are the rows of the CSV last written (a snapshot was just taken, or nothing was committed
   * since the last one): their digest is kept for `status`. Only a shortcut, never part of the day's
   * record: if it cannot be written, status reads the rows. So it is written straight to the disk, not
   * through the store's file layer, whose failures end a run; and not once the lock is lost.
   */
  private async keepDigest(all: readonly Job[]): Promise<void> {
    if (this.lastWrittenHash === undefined || !this.holdsLock()) return;
    const bytes = this.lastWritten.reduce((sum, chunk) => sum + chunk.length, 0);
    await keepDigest(this.path, { bytes, sha256: this.lastWrittenHash }, all, realFileOps).catch(() => undefined);
  }

  private async doClose(all: readonly Job[] | undefined, runLabel: string): Promise<void> {
    const journal = this.journal ? await this.journal.catch(() => undefined) : undefined;
    try {
      if (this.lock?.compromised) return;
      const unfolded = this.requested > this.covered;
      if (unfolded && all) await this.snapshot(all);
      await journal?.close();
      if (unfolded && !all) return;
      await sealJournal(this.path, runLabel, { ops: this.ops, now: this.now(), intact: journal !== undefined && !journal.poisoned });
      if (all) await this.keepDigest(all);
    } finally {
      await journal?.close().catch(() => undefined);
      await this.lock?.release();
    }
  }
}

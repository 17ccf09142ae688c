/**
 * The ledger of one machine: a CSV file, with its journal, lock, control socket and archives beside
 * it (docs/ledger.md, "Where daycap keeps its state"). Reading never takes the lock, so `status`,
 * `report`, `check` and `validate` work beside a live run.
 */
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { DayDigest } from '../core/summary.js';
import { archiveLedger } from '../ledger/archive.js';
import { readKeptDigest } from '../ledger/digest-file.js';
import { realFileOps } from '../ledger/fileOps.js';
import { sealJournal } from '../ledger/journal.js';
import { acquireLedgerLock, guardWrites, readLockHolder } from '../ledger/lock/index.js';
import { stateDir } from '../ledger/paths.js';
import { UsageError } from '../errors.js';
import { readLedgerView, type LedgerView } from '../ledger/read.js';
import { LedgerStore, tornTailWarning } from '../ledger/store.js';
import { validateLedger, type LedgerValidation } from '../ledger/validate.js';
import type { ControlRequest, ControlResponse } from '../runner/control-protocol.js';
import { readArchivedPosts, type ArchiveCountOptions, type ArchivedPosts } from './file-archives.js';
import { readRecordedCap, writeRecordedCap } from './file-cap.js';
import { askRunner } from './file-control.js';
import { requireLedgerFile, requireLedgerFolder } from './file-paths.js';
import { FileStore } from './file-store.js';
import type { Ledger, LedgerRead, RunnerInfo } from './ledger.js';
import type { OpenStoreOptions, Store } from './store.js';

export interface FileLedgerOptions {
  /** Where reset-day puts the archives, besides the ledger's folder (both are read). */
  archiveDir?: string | undefined;
  /** When the ledger's lock counts as abandoned (see LockTiming). */
  staleMs?: number | undefined;
}

export class FileLedger implements Ledger {
  readonly kind = 'file';
  /** The last view read: validating and then reading an unchanged ledger parses it once. */
  private lastView: LedgerView | undefined;

  constructor(readonly name: string, private readonly options: FileLedgerOptions = {}) {}

  get baseDir(): string {
    return dirname(resolve(this.name));
  }

  requireExisting(): Promise<void> {
    return requireLedgerFile(this.name);
  }

  requireCreatable(): Promise<void> {
    return requireLedgerFolder(this.name);
  }

  validate(): Promise<LedgerValidation> {
    return validateLedger(this.name, () => this.view());
  }

  async read(): Promise<LedgerRead> {
    const view = await this.view();
    return { jobs: view.jobs, exists: view.exists, pendingRecords: view.journalRecords, extraColumns: view.extraColumns };
  }

  digest(): Promise<DayDigest | undefined> {
    return readKeptDigest(this.name);
  }

  /** Each caller gets its own array of the rows (the rows themselves are shared and never changed). */
  private async view(): Promise<LedgerView> {
    const view = await readLedgerView(this.name, this.lastView);
    this.lastView = view;
    return { ...view, jobs: view.jobs.slice() };
  }

  holder(): Promise<string | undefined> {
    return readLockHolder(this.name, this.options.staleMs);
  }

  /** A file's live run answers for itself over its control socket (see ask). */
  async runners(): Promise<RunnerInfo[]> {
    return [];
  }

  ask(request: ControlRequest, timeoutMs?: number): Promise<ControlResponse | undefined> {
    return askRunner(this.name, request, { staleMs: this.options.staleMs, timeoutMs });
  }

  archivedPosts(options: Omit<ArchiveCountOptions, 'ledger' | 'archiveDir'>, withRecent = false): Promise<ArchivedPosts> {
    return readArchivedPosts({ ...options, ledger: this.name, archiveDir: this.options.archiveDir }, withRecent);
  }

  open(options: OpenStoreOptions): Promise<Store> {
    return FileStore.open(this.name, { ...options, staleMs: this.options.staleMs });
  }

  async ownsFile(path: string): Promise<'ledger' | 'state' | undefined> {
    const [pathInfo, ledgerInfo] = await Promise.all([stat(path).catch(() => undefined), stat(this.name).catch(() => undefined)]);
    const sameFile = pathInfo && ledgerInfo && pathInfo.dev === ledgerInfo.dev && pathInfo.ino === ledgerInfo.ino;
    if (sameFile || resolve(path) === resolve(this.name)) return 'ledger';
    const inState = relative(stateDir(resolve(this.name)), resolve(path));
    if (inState === '' || !(inState === '..' || inState.startsWith(`..${sep}`) || isAbsolute(inState))) return 'state';
    return undefined;
  }

  recordedCap(warn?: (line: string) => void): Promise<number | undefined> {
    return readRecordedCap(this.name, warn);
  }

  recordCap(cap: number): Promise<void> {
    return writeRecordedCap(this.name, cap);
  }

  async load(): Promise<void> {
    throw new UsageError(`daycap import loads a day into a database ledger; ${this.name} is a file`, 'Name the database ledger with --ledger postgres://…#name; a file ledger is simply copied.');
  }

  /**
   * Moves the ledger to `<name>_<YYYYMMDD>.csv` (or `_1`, `_2`…), never over an existing file (G4).
   * An invalid ledger is archived as it is: that is how an operator gets out of a corrupt file.
   */
  async resetDay(options: { now: number; log: (line: string) => void }): Promise<{ archivedTo: string | undefined }> {
    const where = { archiveDir: this.options.archiveDir, now: options.now };
    const check = await this.validate();
    if (check.ok) {
      // Opening folds a crashed run's journal into the CSV first, so the archive is complete.
      const files = await LedgerStore.open(this.name, { command: 'daycap reset-day', staleMs: this.options.staleMs });
      const torn = tornTailWarning(files.recovered);
      if (torn) options.log(`warning: ${torn}`);
      try {
        return { archivedTo: await archiveLedger(this.name, { ...where, ops: files.ops }) };
      } finally {
        await files.close(undefined, 'reset-day');
      }
    }
    const lock = await acquireLedgerLock(this.name, { command: 'daycap reset-day', staleMs: this.options.staleMs });
    try {
      // Written through the lock's guard, as the store writes.
      const ops = guardWrites(realFileOps, lock);
      const archivedTo = await archiveLedger(this.name, { ...where, ops });
      // A journal that could not be folded must not leak into the new day; it is kept aside, never deleted.
      await sealJournal(this.name, 'reset-day-unfolded', { ops });
      options.log(`warning: the ledger was invalid (${check.error.message}); it was archived unchanged`);
      return { archivedTo };
    } finally {
      await lock.release();
    }
  }
}

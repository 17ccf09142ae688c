/**
 * The append-only journal of changed rows (G3: a change is durable when its append resolves).
 * Replay is an upsert by job_id in record order, so re-applying records the CSV already reflects
 * is harmless and recovery never needs to know where the last snapshot was.
 */
import { dirname } from 'node:path';
import type { FileHandle } from 'node:fs/promises';

import type { Job } from '../core/job.js';
import { DaycapError, InputError, storageFailure } from '../errors.js';
import { realFileOps, type FileOps } from './fileOps.js';
import { readJournal } from './journalRead.js';
import { encodeRecordBytes } from './journalRecord.js';

export { readJournal, scanJournal, type JournalContents, type TornTail } from './journalRead.js';
export { sealJournal, type SealOptions } from './journalSeal.js';

interface Waiting {
  records: Buffer[];
  count: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class Journal {
  private queue: Waiting[] = [];
  private flushing: Promise<void> | undefined;
  private poison: DaycapError | undefined;
  private closing: Promise<void> | undefined;
  private durable: number;
  private seq: number;

  private constructor(readonly path: string, private readonly handle: FileHandle, private readonly ops: FileOps, existing: number) {
    this.durable = existing;
    this.seq = existing;
  }

  /** Opens for appending, creating the file if needed; never truncates. Refuses a journal with a torn tail (seal it first). */
  static async open(path: string, ops: FileOps = realFileOps): Promise<Journal> {
    const existing = await readJournal(path, ops);
    if (existing.tornTail) {
      throw new InputError('JOURNAL_DAMAGED', { file: path }, `journal ends in a torn record (${existing.tornTail.reason}); appending after it would bury it`, {
        hint: 'Open the ledger with daycap (which folds and seals the journal) before writing to it.',
      });
    }
    let handle: FileHandle | undefined;
    try {
      handle = await ops.open(path, 'a', 0o644);
      // A new journal's directory entry must survive a crash as surely as its records.
      if (!existing.exists) await ops.fsyncDir(dirname(path));
    } catch (err) {
      // Found by test/faults/disk-faults.test.ts: when the folder sync failed, the open handle was
      // left to the garbage collector (a leaked descriptor and a DEP0137 warning).
      if (handle) await ops.close(handle).catch(() => undefined);
      throw storageFailure(`could not open journal ${path}`, err);
    }
    return new Journal(path, handle, ops, existing.jobs.length);
  }

  /** Records in the file that are known durable. */
  get records(): number {
    return this.durable;
  }

  /** A write or sync failed: nothing more is accepted, and the file may end in a torn record. */
  get poisoned(): boolean {
    return this.poison !== undefined;
  }

  /** The failure that poisoned the journal, if one did. */
  get failure(): DaycapError | undefined {
    return this.poison;
  }

  /**
   * Resolves once these rows are on disk (write + fdatasync). Appends that arrive while a sync is in
   * progress share the next write and sync (group commit), so many workers cost few syncs.
   */
  append(jobs: readonly Job[]): Promise<void> {
    if (this.poison) return Promise.reject(this.poison);
    if (this.closing) return Promise.reject(new DaycapError('JOURNAL_CLOSED', `journal ${this.path} is closed`, { operatorError: false }));
    if (jobs.length === 0) return Promise.resolve();
    const records = jobs.map((job) => encodeRecordBytes(++this.seq, job));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records, count: jobs.length, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.flushing || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.flushing = this.flush(batch).finally(() => {
      this.flushing = undefined;
      this.pump();
    });
  }

  private async flush(batch: Waiting[]): Promise<void> {
    try {
      await this.ops.write(this.handle, Buffer.concat(batch.flatMap((w) => w.records)));
      await this.ops.fdatasync(this.handle);
    } catch (err) {
      // After a failed fsync the kernel may have dropped the dirty pages and will report the next
      // fsync as fine; so nothing written after this point could be trusted.
      this.poison = storageFailure(`could not write journal ${this.path}`, err);
      const waiting = [...batch, ...this.queue];
      this.queue = [];
      for (const w of waiting) w.reject(this.poison);
      return;
    }
    for (const w of batch) {
      this.durable += w.count;
      w.resolve();
    }
  }

  /** Waits for appends already made, then closes the file. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.flushing) await this.flushing;
      await this.ops.close(this.handle);
    })();
    return this.closing;
  }
}

/**
 * G7 during a run: an edit of the ledger made outside daycap is merged row by row against the
 * text daycap last wrote; what cannot be merged is refused, reported, and the operator's file is
 * kept aside under a new name. The ledger is then rewritten from memory, so it is whole again.
 * docs/guarantees.md#g7-outside-edits-are-merged describes the merge rules.
 */
import { applyMergePlan, mergeEdit } from '../core/merge.js';
import type { DayState } from '../core/day-state.js';
import type { Job } from '../core/job.js';
import { InputError } from '../errors.js';
import { parseLedger } from '../ledger/codec.js';
import { keepAside } from '../ledger/keep-aside.js';
import type { LedgerStore } from '../ledger/store.js';
import { readEdit, watchLedger, type LedgerWatcher } from '../ledger/watch.js';
import type { StoreNews } from './store.js';

export interface EditContext {
  ledger: string;
  files: LedgerStore;
  day: DayState;
  clock: () => number;
  /** Applies the merge to the day and makes it durable (G3) before it is reported. */
  step: (apply: () => Job[]) => Promise<Pick<Extract<StoreNews, { kind: 'external-edit' }>, 'changed' | 'news' | 'capSkips'>>;
  /** Rewrites the CSV from memory soon. */
  requestSnapshot: () => void;
  publish: (news: StoreNews) => void;
  isSnapshotting: () => boolean;
  onError: (error: unknown) => void;
  settleMs?: number | undefined;
  pollMs?: number | undefined;
}

/** Hashes of our own recent snapshots: a late event about an older write of ours is still ours. */
const OWN_HASHES_KEPT = 64;

export class ExternalEdits {
  private readonly watcher: LedgerWatcher;
  private readonly ownHashes: string[] = [];
  /** Merges run one at a time, in the order the edits were seen. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: EditContext) {
    this.noteOwnWrite();
    const { files } = ctx;
    this.watcher = watchLedger(ctx.ledger, {
      ...(files.lastWrittenHash ? { knownHash: files.lastWrittenHash } : {}),
      isOwnWrite: (hash) => hash === files.writingHash || hash === files.lastWrittenHash || this.ownHashes.includes(hash),
      writing: () => ctx.isSnapshotting(),
      onEdit: (bytes) => {
        this.queue = this.queue.then(() => this.merge(bytes)).catch(ctx.onError);
      },
      onError: ctx.onError,
      ...(ctx.settleMs === undefined ? {} : { settleMs: ctx.settleMs }),
      ...(ctx.pollMs === undefined ? {} : { pollMs: ctx.pollMs }),
    });
  }

  get ready(): Promise<void> {
    return this.watcher.ready;
  }

  /** Call after each snapshot of ours. */
  noteOwnWrite(): void {
    const hash = this.ctx.files.lastWrittenHash;
    if (!hash || this.ownHashes.at(-1) === hash) return;
    this.ownHashes.push(hash);
    if (this.ownHashes.length > OWN_HASHES_KEPT) this.ownHashes.shift();
  }

  /** Looks at the file now and waits for any merge it causes: call before replacing the file. */
  async settle(): Promise<void> {
    await this.watcher.check();
    await this.queue;
  }

  async close(): Promise<void> {
    await this.settle().catch(this.ctx.onError);
    await this.watcher.close();
  }

  private async merge(bytes: Buffer): Promise<void> {
    const { ctx } = this;
    // A run whose lock was taken over sees the new holder's writes as edits: they are not ours to
    // merge, and nothing may be written (not even the kept-aside copy) once the lock is lost (G6).
    if (!ctx.files.holdsLock()) return;
    const now = ctx.clock();
    let edited;
    try {
      edited = readEdit(bytes, ctx.ledger);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const keptAs = await keepAside(ctx.ledger, bytes, 'malformed', { now, ops: ctx.files.ops });
      ctx.publish({ kind: 'external-edit', merged: 0, refused: 0, keptAs, changed: [], news: [], capSkips: [], message: `The edit could not be read (${error.message}); the run goes on from memory and the ledger was rewritten.` });
      ctx.requestSnapshot();
      return;
    }
    const base = parseLedger(ctx.files.lastWrittenBytes(), ctx.ledger).jobs;
    const plan = mergeEdit({ base, edited: edited.jobs, editedLines: edited.lines, current: ctx.day, now, formatTime: ctx.day.formatTime });
    let refusedAtApply: ReturnType<typeof applyMergePlan>['refused'] = [];
    const { changed, news, capSkips } = await ctx.step(() => {
      const applied = applyMergePlan(ctx.day, plan);
      refusedAtApply = applied.refused;
      return applied.changed;
    });
    const refused = [...plan.refused, ...refusedAtApply];
    const keptAs = refused.length > 0 ? await keepAside(ctx.ledger, bytes, 'refused', { now, ops: ctx.files.ops }) : undefined;
    const details = refused.slice(0, 5).map((r) => `${r.line === undefined ? '' : `line ${r.line}: `}${r.reason}`);
    const more = refused.length > details.length ? ` (and ${refused.length - details.length} more)` : '';
    ctx.publish({
      kind: 'external-edit',
      merged: changed.length,
      refused: refused.length,
      ...(keptAs ? { keptAs } : {}),
      changed,
      news,
      capSkips,
      message: refused.length ? `Refused: ${details.join('; ')}${more}.` : 'Every change was applied.',
    });
    // Rewrite the file from memory: the merged result replaces the operator's version.
    ctx.requestSnapshot();
  }
}

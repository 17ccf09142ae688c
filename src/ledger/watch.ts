/**
 * Noticing edits of the ledger made outside daycap during a run (G7).
 *
 * Editors replace files in different ways: vim renames a new file over the old (or moves the old
 * one away first), `mv` renames an edited copy over it, `cat >` truncates and writes in place, a
 * spreadsheet rewrites it (with a BOM and CRLF). Watching the file itself loses track of it after
 * the first rename, so the FOLDER is watched, filtered to the ledger's name.
 *
 * Events say only "look again": they can be missed (inotify limits) or come twice. What decides is
 * the content: after a short settle the file is read and hashed; daycap's own writes (by hash) and
 * the content last seen are ignored, anything else is reported once. A slow timer looks again in
 * case an event never came. No time window decides anything.
 */
import { dirname, resolve } from 'node:path';

import { watch } from 'chokidar';

import type { Job } from '../core/job.js';
import { parseLedger } from './codec.js';
import { readCsvRecords } from './csvRecords.js';
import { decodeUtf8 } from './utf8.js';
import { ContentJudge, type Verdict } from './watch-judge.js';
import { SerialLooks, SettleTimer } from './watch-looks.js';
import { readSettled, type UnreadOutcome } from './watch-read.js';

export { sha256 } from './watch-judge.js';

export const DEFAULT_SETTLE_MS = 200;
export const DEFAULT_POLL_MS = 5000;

/** What one look at the file found (watch-read.ts, watch-judge.ts say each); for logs and tests. */
export type CheckOutcome = UnreadOutcome | Verdict;

export interface WatchLedgerOptions {
  /** True if these bytes (sha256, hex) are ones daycap wrote, or is writing, to the ledger. */
  isOwnWrite(hash: string): boolean;
  /** An outside edit: called once per distinct content. Must not throw (errors go to onError). */
  onEdit(bytes: Buffer, hash: string): void;
  /** Wait after an event before reading (default 200 ms). */
  settleMs?: number;
  /** Look again this often even without events (default 5 s). */
  pollMs?: number;
  /**
   * Hash of the content daycap loaded the ledger from. Without it, content neither written by
   * daycap nor seen before is reported, including what was there at start.
   */
  knownHash?: string;
  /**
   * True while daycap is in the middle of writing the ledger, when its new hash may not be known
   * to isOwnWrite yet. Content with a foreign hash read then is kept, and reported after a settle
   * only if isOwnWrite still does not know it once writing() is false.
   */
  writing?(): boolean;
  /** After every look at the file (hash when it was read whole). */
  onCheck?(outcome: CheckOutcome, hash?: string): void;
  /** The watcher's own failures, and any thrown by onEdit. Default: rethrown (a bug). */
  onError?(err: unknown): void;
}

export interface LedgerWatcher {
  /** Resolves once the folder is being watched and the file has been looked at once. */
  readonly ready: Promise<void>;
  /**
   * Looks at the file now (after any look already under way). Call it right before writing a
   * snapshot, so an edit already on disk is reported before daycap replaces it.
   */
  check(): Promise<void>;
  /** Stops watching; no onEdit is called once it resolves. */
  close(): Promise<void>;
}

export function watchLedger(ledgerPath: string, opts: WatchLedgerOptions): LedgerWatcher {
  const target = resolve(ledgerPath);
  let closed = false;
  const isClosed = () => closed;
  const fail = opts.onError ?? ((err: unknown) => { throw err; });
  const report = (err: unknown) => {
    if (!closed) reportOutsideAwait(fail, err);
  };

  const judge = new ContentJudge(opts, { isClosed, report });
  const looks = new SerialLooks(async () => {
    const { outcome, hash } = await lookAt(target, judge);
    if (outcome === 'unsettled' || judge.hasSuspects) schedule();
    opts.onCheck?.(outcome, hash);
  }, isClosed);
  const settle = new SettleTimer(opts.settleMs ?? DEFAULT_SETTLE_MS, () => void looks.check().catch(report));
  const schedule = () => {
    if (!closed) settle.schedule();
  };

  const folder = watchFolderOf(target, schedule, report);
  // The slow timer: in case an event never came (inotify limits).
  const poll = setInterval(() => { looks.check().catch(report); }, opts.pollMs ?? DEFAULT_POLL_MS);
  poll.unref();
  const ready = folder.ready.then(() => looks.check());
  ready.catch(report);

  return {
    ready,
    check: () => looks.check(),
    async close() {
      closed = true;
      clearInterval(poll);
      settle.cancel();
      await folder.close();
      await looks.idle();
    },
  };
}

/** One look: content waiting since daycap's last write is judged first, then the file if it reads whole. */
async function lookAt(target: string, judge: ContentJudge): Promise<{ outcome: CheckOutcome; hash?: string }> {
  judge.judgeSuspects();
  const read = await readSettled(target);
  if (read.outcome !== 'read') return { outcome: read.outcome };
  return judge.judge(read.bytes);
}

/** Events in the ledger's folder that concern the ledger; `ready` once chokidar is watching. */
function watchFolderOf(target: string, onChange: () => void, onError: (err: unknown) => void): { ready: Promise<void>; close(): Promise<void> } {
  const dir = dirname(target);
  const watcher = watch(dir, {
    depth: 0,
    ignoreInitial: true,
    // Everything in the folder but the ledger (daycap's temp files, kept-aside copies, backups).
    ignored: (path: string) => {
      const full = resolve(path);
      return full !== dir && full !== target;
    },
  });
  watcher.on('all', (_event, path) => {
    if (resolve(path) === target) onChange();
  });
  watcher.on('error', onError);
  const ready = new Promise<void>((resolveReady) => {
    watcher.once('ready', () => resolveReady());
  });
  return { ready, close: () => watcher.close() };
}

/** Hands a failure to `fail`; what that throws happens outside any caller's await: let it surface as the bug it is. */
function reportOutsideAwait(fail: (err: unknown) => void, err: unknown): void {
  try {
    fail(err);
  } catch (thrown) {
    setImmediate(() => { throw thrown; });
  }
}

export interface ReadEdit {
  jobs: Job[];
  /** Line on which jobs[i] starts in the file, for reports. */
  lines: number[];
  extraColumns: string[];
}

/**
 * Parses an edited ledger for the merge, with the line of each row. Throws InputError (file, line,
 * column) on a malformed file, exactly as loading the ledger would.
 */
export function readEdit(bytes: Buffer, file: string): ReadEdit {
  const text = decodeUtf8(bytes, file, 'LEDGER_PARSE');
  const parsed = parseLedger(text, file);
  const lines: number[] = new Array<number>(parsed.jobs.length);
  if (parsed.jobs.length > 0) {
    const { lineOf } = readCsvRecords(text, file);
    for (let i = 0; i < parsed.jobs.length; i++) lines[i] = lineOf(i + 1);
  }
  return { jobs: parsed.jobs, lines, extraColumns: parsed.extraColumns };
}

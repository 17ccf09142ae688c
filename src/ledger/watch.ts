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
import type { Stats } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import { watch } from 'chokidar';

import type { Job } from '../core/job.js';
import { parseLedger } from './codec.js';
import { readCsvRecords } from './csvRecords.js';
import { decodeUtf8 } from './utf8.js';

export const DEFAULT_SETTLE_MS = 200;
export const DEFAULT_POLL_MS = 5000;

/** What one look at the file found; for logs and tests. */
export type CheckOutcome =
  | 'missing' // gone or unreadable (mid-rename): looked at again on the next event or poll
  | 'empty' // truncated, not yet written (`cat >`): looked at again on the next event or poll
  | 'unsettled' // changed while being read: looked at again after a settle
  | 'writing' // a foreign hash while daycap was writing: kept, and judged after a settle once daycap is done
  | 'own' // bytes daycap wrote
  | 'seen' // the content already seen last time
  | 'edit'; // reported to onEdit

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

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function watchLedger(ledgerPath: string, opts: WatchLedgerOptions): LedgerWatcher {
  const target = resolve(ledgerPath);
  const dir = dirname(target);
  const settleMs = opts.settleMs ?? DEFAULT_SETTLE_MS;
  const pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
  const fail = opts.onError ?? ((err: unknown) => { throw err; });

  let lastSeen = opts.knownHash;
  let closed = false;
  let settleTimer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const report = (err: unknown) => {
    if (closed) return;
    try {
      fail(err);
    } catch (thrown) {
      // Outside any caller's await: let it surface as the bug it is.
      setImmediate(() => { throw thrown; });
    }
  };

  /** Deliver once per content, never after close. */
  const deliver = (bytes: Buffer, hash: string) => {
    lastSeen = hash;
    try {
      opts.onEdit(bytes, hash);
    } catch (err) {
      report(err);
    }
  };

  /**
   * Foreign-looking contents read while daycap was writing: most likely daycap's new bytes whose
   * hash isOwnWrite did not know yet, but possibly an operator's save that daycap's write is about
   * to replace. Kept, and judged once daycap is done writing, so the latter is reported even if it
   * is no longer on disk.
   */
  const suspects = new Map<string, Buffer>();
  const judgeSuspects = () => {
    if (suspects.size === 0 || opts.writing?.()) return;
    for (const [hash, bytes] of suspects) {
      suspects.delete(hash);
      if (hash !== lastSeen && !opts.isOwnWrite(hash) && !closed) deliver(bytes, hash);
    }
  };

  const lookOnce = async (): Promise<{ outcome: CheckOutcome; hash?: string }> => {
    judgeSuspects();
    const before = await statOrUndefined(target);
    if (!before?.isFile()) return { outcome: 'missing' };
    let bytes: Buffer;
    try {
      bytes = await readFile(target);
    } catch {
      return { outcome: 'missing' };
    }
    const after = await statOrUndefined(target);
    if (!after || !sameFile(before, after) || after.size !== bytes.length) return { outcome: 'unsettled' };
    if (bytes.length === 0) return { outcome: 'empty' };
    const hash = sha256(bytes);
    if (hash === lastSeen) return { outcome: 'seen', hash };
    if (opts.isOwnWrite(hash)) {
      lastSeen = hash;
      return { outcome: 'own', hash };
    }
    if (opts.writing?.()) {
      suspects.set(hash, bytes);
      return { outcome: 'writing', hash };
    }
    if (closed) return { outcome: 'seen', hash };
    deliver(bytes, hash);
    return { outcome: 'edit', hash };
  };

  const loop = async (): Promise<void> => {
    do {
      again = false;
      if (closed) return;
      const { outcome, hash } = await lookOnce();
      if (outcome === 'unsettled' || suspects.size > 0) schedule();
      opts.onCheck?.(outcome, hash);
    } while (again);
  };

  const check = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (running) {
      // The look under way may have read the file before the caller's reason to look: look once more.
      again = true;
      return running;
    }
    running = loop().finally(() => { running = undefined; });
    return running;
  };

  /** One pending look per settle: a burst of events (1,000 own writes) costs a few looks, not 1,000. */
  const schedule = () => {
    if (closed || settleTimer) return;
    settleTimer = setTimeout(() => {
      settleTimer = undefined;
      check().catch(report);
    }, settleMs);
    settleTimer.unref();
  };

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
    if (resolve(path) === target) schedule();
  });
  watcher.on('error', report);

  const poll = setInterval(() => { check().catch(report); }, pollMs);
  poll.unref();

  const ready = new Promise<void>((resolveReady) => {
    watcher.once('ready', () => resolveReady());
  }).then(() => check());
  ready.catch(report);

  return {
    ready,
    check,
    async close() {
      closed = true;
      clearInterval(poll);
      if (settleTimer) clearTimeout(settleTimer);
      settleTimer = undefined;
      await watcher.close();
      await running?.catch(() => undefined);
    },
  };
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

/** The same file, unchanged: a rename puts a new inode there, a write moves size or mtime. */
function sameFile(a: Stats, b: Stats): boolean {
  return a.ino === b.ino && a.dev === b.dev && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
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

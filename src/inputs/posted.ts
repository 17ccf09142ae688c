/**
 * The posted ledger: the all-time record of which video went to which account (docs/ledger.md#posted-ledger).
 * One `account|video_filename|timestamp` a line. It is only ever appended to (G4).
 * Read as the seed system reads it: surrounding spaces are dropped, blank lines and lines starting
 * with `#` are skipped, and only the first two fields count: the timestamp is never read (rebuilt
 * ledgers hold `rebuilt` there, or nothing). A line without an account and a video is refused.
 */
import { open } from 'node:fs/promises';
import { InputError, StorageError } from '../errors.js';
import { isoTime } from '../core/job.js';
import { videoStem } from '../core/video.js';
import { readInputBytes, decodeUtf8, splitLines, type InputKind } from './read.js';

const POSTED: InputKind = {
  what: 'posted ledger',
  code: 'POSTED_INVALID',
  hint: 'Give the path of the posted ledger (one account|video_filename|timestamp a line).',
};

export interface PostedIndex {
  /** Whether `videoKey` (a video file name, with or without its extension) was ever posted to `account`. */
  has(account: string, videoKey: string): boolean;
  readonly size: number;
}

export interface PostedEntry {
  account: string;
  videoKey: string;
  /** Epoch milliseconds. */
  at: number;
}

function buildIndex(pairs: Iterable<readonly [string, string]>): PostedIndex {
  const byAccount = new Map<string, Set<string>>();
  let size = 0;
  for (const [account, video] of pairs) {
    let videos = byAccount.get(account);
    if (!videos) byAccount.set(account, (videos = new Set()));
    videos.add(videoStem(video));
    size++;
  }
  return { has: (account, videoKey) => byAccount.get(account)?.has(videoStem(videoKey)) ?? false, size };
}

export async function readPostedLedger(path: string): Promise<PostedIndex> {
  let bytes: Buffer;
  try {
    bytes = await readInputBytes(path, POSTED);
  } catch (error) {
    // Nothing posted yet is the normal first day, not a mistake.
    if (error instanceof InputError && error.code === 'INPUT_MISSING') return buildIndex([]);
    throw error;
  }
  const pairs: [string, string][] = [];
  splitLines(decodeUtf8(bytes, path, POSTED)).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [account = '', video = ''] = line.split('|').map((field) => field.trim());
    if (account === '' || video === '') {
      throw new InputError(POSTED.code, { file: path, line: i + 1 }, `expected account|video_filename|timestamp, found ${JSON.stringify(raw)}`, {
        hint: 'Correct that line by hand, or start it with # to keep it as a comment (the ledger is append-only, daycap never rewrites it).',
      });
    }
    pairs.push([account, video]);
  });
  return buildIndex(pairs);
}

function entryLine(entry: PostedEntry, path: string): string {
  for (const [field, value] of [['account', entry.account], ['video', entry.videoKey]] as const) {
    if (value.trim() === '' || /[|\r\n]/.test(value)) {
      throw new InputError('POSTED_ENTRY_INVALID', { file: path }, `cannot record ${field} ${JSON.stringify(value)}: it is empty or holds '|' or a line break`);
    }
  }
  return `${entry.account}|${entry.videoKey}|${isoTime(entry.at)}\n`;
}

/** Appends in one write and fsyncs, so a crash leaves whole lines; a hand edit without a final newline is not glued to. */
export async function appendPosted(path: string, entries: readonly PostedEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const text = entries.map((entry) => entryLine(entry, path)).join('');
  let handle;
  try {
    handle = await open(path, 'a+');
    const { size } = await handle.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await handle.write(prefix + text);
    await handle.sync();
  } catch (error) {
    throw new StorageError(`cannot append to the posted ledger ${path}: ${(error as Error).message}`, { cause: error });
  } finally {
    await handle?.close();
  }
}

/**
 * The posts a ledger's recent archives hold, for every count of today's and yesterday's posts:
 * the day cap (seed and run), the rolling 24-hour cap and the "cap exceeded" report. Every archive
 * is read with the tolerant reader; one that cannot be read stops the command by name, unless the
 * operator names it with --ignore-archive, which is said in the log. Nothing is skipped in silence.
 */
import { basename, resolve } from 'node:path';
import { archivedPostsToday, archivedPostsWithin24h, mayBePost, type ArchivedRow } from '../core/archived-posts.js';
import type { PastPost } from '../core/policy.js';
import { readArchive } from '../ledger/archive-read.js';
import { recentArchives, todaysArchives } from '../ledger/archive.js';

export interface ArchiveCountOptions {
  ledger: string;
  /** Where reset-day put the archives, besides the ledger's folder. */
  archiveDir?: string | undefined;
  now: number;
  /** Archives whose posts must not count (--ignore-archive); each one is named in the log. */
  ignoreArchives?: readonly string[] | undefined;
  log?: ((line: string) => void) | undefined;
}

export interface ArchivedPosts {
  /** Possible posts made today, per account, in archives dated today. */
  today: Map<string, number>;
  /** Possible posts of the last 24 hours, in archives dated today or yesterday (only when asked for). */
  recent: PastPost[];
}

/**
 * Reads today's archives (and yesterday's too with `withRecent`, for a rolling cap). Throws
 * InputError ARCHIVE_UNREADABLE, naming the file, for one that cannot be read at all.
 */
export async function readArchivedPosts(options: ArchiveCountOptions, withRecent = false): Promise<ArchivedPosts> {
  const log = options.log ?? (() => undefined);
  const where = { archiveDir: options.archiveDir, now: options.now };
  const todays = new Set(await todaysArchives(options.ledger, where));
  const archives = withRecent ? await recentArchives(options.ledger, where) : [...todays];
  const ignore = new Map((options.ignoreArchives ?? []).map((file) => [resolve(file), file]));
  const result: ArchivedPosts = { today: new Map(), recent: [] };
  for (const archive of archives) {
    if (ignore.delete(resolve(archive))) {
      log(`warning: ignoring archive ${archive} as asked (--ignore-archive); its posts do not count toward today's cap`);
      continue;
    }
    const contents = await readArchive(archive);
    if (contents.empty) log(`warning: archive ${archive} is empty (0 bytes): there are no posts in it to count`);
    const posts = contents.rows.filter((row) => mayBePost(row.status));
    if (contents.damage.length > 0) {
      log(`warning: archive ${archive} is damaged (${contents.damage.join('; ')}); counted every row that could be read: ${contents.rows.length} rows, ${posts.length} possible posts`);
    }
    if (contents.statusLost > 0) {
      log(`warning: archive ${archive}: ${contents.statusLost} ${contents.statusLost === 1 ? 'row has' : 'rows have'} a job and an account but no readable status, counted as possible posts`);
    }
    if (contents.unknownStatuses.length > 0) {
      const unknown = contents.rows.filter((row) => contents.unknownStatuses.includes(row.status)).length;
      log(`warning: archive ${archive}: ${unknown} ${unknown === 1 ? 'row has a status' : 'rows have statuses'} daycap does not know (${quoteList(contents.unknownStatuses)}), counted as possible posts`);
    }
    if (todays.has(archive)) {
      for (const [account, n] of archivedPostsToday(posts, options.now)) result.today.set(account, (result.today.get(account) ?? 0) + n);
    }
    if (withRecent) result.recent.push(...archivedPostsWithin24h(posts, options.now, contents.modifiedAt));
  }
  for (const file of ignore.values()) {
    log(`warning: --ignore-archive ${file} is not one of the archives this command counts (${withRecent ? "today's or yesterday's" : "today's"} archives of ${options.ledger}); nothing was ignored`);
  }
  return result;
}

function quoteList(values: readonly string[], shown = 5): string {
  const listed = values.slice(0, shown).map((value) => JSON.stringify(value)).join(', ');
  return values.length > shown ? `${listed}, … ${values.length - shown} more` : listed;
}

/** An archive of the ledger dated today or yesterday, with its rows that may be posts (what `daycap import` carries over). */
export interface RecentArchive {
  /** Its file name, e.g. `progress_20261129_1.csv`. */
  label: string;
  /** The day in its name, `YYYY-MM-DD`. */
  localDay: string;
  /** When it was last written (epoch ms). */
  archivedAt: number;
  rows: ArchivedRow[];
}

/**
 * Today's and yesterday's archives of a file ledger, read as the cap reads them (the tolerant
 * reader; one that cannot be read stops the caller unless named in `ignoreArchives`).
 */
export async function readRecentArchives(options: ArchiveCountOptions): Promise<RecentArchive[]> {
  const ignore = new Set((options.ignoreArchives ?? []).map((file) => resolve(file)));
  const out: RecentArchive[] = [];
  for (const archive of await recentArchives(options.ledger, { archiveDir: options.archiveDir, now: options.now })) {
    if (ignore.has(resolve(archive))) {
      options.log?.(`warning: ignoring archive ${archive} as asked (--ignore-archive); its posts are not carried over`);
      continue;
    }
    const contents = await readArchive(archive);
    const day = /_(\d{4})(\d{2})(\d{2})(?:_\d+)?\.csv$/.exec(archive)!;
    out.push({ label: basename(archive), localDay: `${day[1]}-${day[2]}-${day[3]}`, archivedAt: contents.modifiedAt, rows: contents.rows.filter((row) => mayBePost(row.status)) });
  }
  return out;
}

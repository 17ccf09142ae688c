/**
 * Posts found in the day's archives (ledgers a reset-day moved aside), as the cap counts them.
 * An archive is old history that may be damaged or written by an older tool, so its rows are read
 * generously: whatever could mean a post counts as one. Pure: rows and times come in as data.
 */
import { ROLLING_WINDOW_MS, type PastPost } from './policy.js';
import { localDay, parseTime } from './time.js';

/** What the tolerant archive reader recovers of one row: enough to count it toward the cap. */
export interface ArchivedRow {
  jobId: string;
  account: string;
  /** As written ('' when the row was cut off before its status). */
  status: string;
  claimedAt: string;
  completedAt: string;
  /** 1-based line the row starts on. */
  line: number;
}

/** Statuses that certainly mean "nothing was posted": every other one, a typo or an older tool's word included, may be a post. */
const NOT_POSTED: ReadonlySet<string> = new Set(['pending', 'retrying', 'failed', 'skipped']);
/** The statuses daycap and the seed system write; anything else is reported as unknown. */
const KNOWN: ReadonlySet<string> = new Set([...NOT_POSTED, 'success', 'claimed', 'unconfirmed']);

/** success, claimed, unconfirmed, and any status daycap does not know (treated as possibly posted). */
export function mayBePost(status: string): boolean {
  return !NOT_POSTED.has(normalStatus(status));
}

export function isKnownStatus(status: string): boolean {
  return KNOWN.has(normalStatus(status));
}

function normalStatus(status: string): string {
  return status.trim().toLowerCase();
}

/**
 * The local calendar day (YYYY-MM-DD) a ledger time falls on. A naive time (no Z, no offset), as
 * the seed system writes them, is already local: its written date is the day. Undefined when the
 * text is no time at all.
 */
export function localDayOf(text: string): string | undefined {
  const value = text.trim();
  const date = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/.exec(value);
  if (date) return `${date[1]}-${date[2]}-${date[3]}`;
  const ms = parseAnyTime(value);
  return ms === undefined ? undefined : localDay(ms);
}

export { localDay };

/** A ledger time, zoned or naive (naive is local); a space may stand for the `T`. */
function parseAnyTime(text: string): number | undefined {
  return parseTime(text.replace(' ', 'T'));
}

/**
 * Possible posts per account made today, from the rows of archives dated today. A row counts unless
 * its completed_at is clearly on an earlier day (an archive made just after midnight holds
 * yesterday's posts): no time, or a time that cannot be read, counts, since it may be today's.
 */
export function archivedPostsToday(rows: Iterable<ArchivedRow>, now: number): Map<string, number> {
  const today = localDay(now);
  const counts = new Map<string, number>();
  for (const row of rows) {
    if (!mayBePost(row.status)) continue;
    const day = localDayOf(row.completedAt);
    if (day !== undefined && day < today) continue;
    counts.set(row.account, (counts.get(row.account) ?? 0) + 1);
  }
  return counts;
}

/**
 * Possible posts of the last 24 hours, for a rolling cap. A post's time is its completed_at; a row
 * without one (a claim, damage) is taken as late as it can be: when its archive was last written
 * (`latestPossible`), so it stays in the window for as long as it might belong there.
 */
export function archivedPostsWithin24h(rows: Iterable<ArchivedRow>, now: number, latestPossible: number): PastPost[] {
  const posts: PastPost[] = [];
  for (const row of rows) {
    if (!mayBePost(row.status)) continue;
    const at = parseAnyTime(row.completedAt.trim()) ?? Math.min(latestPossible, now);
    if (at > now - ROLLING_WINDOW_MS) posts.push({ account: row.account, at });
  }
  return posts;
}

/** An account with more posts today than the cap: the history is kept as it is, and reported. */
export interface CapExceeded {
  account: string;
  posts: number;
  cap: number;
}

/** Accounts whose posts (ledger plus today's archives) are above the cap, by name. */
export function capExceeded(postsByAccount: ReadonlyMap<string, number>, cap: number): CapExceeded[] {
  return [...postsByAccount]
    .filter(([, posts]) => posts > cap)
    .map(([account, posts]) => ({ account, posts, cap }))
    .sort((a, b) => a.account.localeCompare(b.account));
}

export function capExceededLine(entry: CapExceeded): string {
  return `cap exceeded: ${entry.account} ${entry.posts}/${entry.cap}`;
}

/** Sums per-account counts (ledger and archives). */
export function addCounts(...maps: ReadonlyArray<ReadonlyMap<string, number>>): Map<string, number> {
  const total = new Map<string, number>();
  for (const map of maps) for (const [account, n] of map) total.set(account, (total.get(account) ?? 0) + n);
  return total;
}

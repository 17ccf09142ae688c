/**
 * Times in the ledger: one parser for every time daycap reads, and the two ways it writes them.
 *
 * - `utc`: ISO 8601 in UTC with a `Z` (`2025-12-14T09:31:02.123Z`), daycap's own convention.
 * - `local`: the machine's local wall-clock time with no zone (`2025-12-14T09:31:02.123000`), as the
 *   seed system writes it (Python's `datetime.now().isoformat()`). Its tools compare such times with
 *   a naive `datetime.now()`, and a `Z` time there raises "can't compare offset-naive and
 *   offset-aware datetimes", so a ledger they still read must keep its naive times.
 *
 * Pure apart from the machine's time zone, which `local` stands for by definition (as it does for
 * Python): the clock itself is always passed in as epoch milliseconds.
 */
import type { Job } from './job.js';
import { COOLDOWN_COLUMN } from './policy.js';

export const TIME_FORMATS = ['utc', 'local'] as const;
export type TimeFormat = (typeof TIME_FORMATS)[number];
/** Writes an instant (epoch ms) as a ledger cell. */
export type FormatTime = (epochMs: number) => string;

/** The columns that hold times, the extra `cooldown_until` included. */
export const TIME_CELLS = ['claimed_at', 'completed_at', 'retry_at', COOLDOWN_COLUMN] as const;

/**
 * ISO 8601 as the seed system, daycap and spreadsheets write it: a date, optionally a time (T or
 * space; seconds and any fraction optional), optionally `Z` or an offset. Checked by this grammar
 * and the calendar, never by `Date.parse` alone: V8's lenient legacy parser accepts "yesterday at 5"
 * or "1" (both read as 2001), and rolls 30 February over into March.
 */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/** ISO 8601, UTC, with a `Z`. Also what log lines and reports show. */
export function isoTime(epochMs: number): string {
  // A busy run writes many times within one millisecond: the last one is kept.
  if (epochMs !== lastIso.ms) {
    lastIso.ms = epochMs;
    lastIso.text = new Date(epochMs).toISOString();
  }
  return lastIso.text;
}

const lastIso = { ms: NaN, text: '' };

/**
 * Local wall-clock time with no zone, exactly as Python's `datetime.isoformat()` writes a naive
 * datetime: six digits of microseconds, and no fraction at all when it is zero. Written the way the
 * seed system writes, a cell daycap wrote cannot be told from one the seed system wrote.
 */
export function localIsoTime(epochMs: number): string {
  const d = new Date(epochMs);
  const text = `${localDay(epochMs)}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  const ms = d.getMilliseconds();
  return ms === 0 ? text : `${text}.${String(ms).padStart(3, '0')}000`;
}

export function timeFormatter(format: TimeFormat): FormatTime {
  return format === 'local' ? localIsoTime : isoTime;
}

/**
 * Parses a ledger time into epoch ms; '' and anything that is not a real ISO 8601 time give
 * undefined. A time without a zone is local time (Python's `fromisoformat` reads it so, and the
 * seed system writes its local clock); a date alone is local midnight. Digits of the fraction past
 * milliseconds are dropped.
 */
export function parseTime(value: string): number | undefined {
  const m = ISO_TIME.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = m[7] === undefined ? 0 : Number(m[7].length === 3 ? m[7] : m[7].slice(0, 3).padEnd(3, '0'));
  const zone = m[8];
  if (zone === undefined) {
    if (year >= 100) return new Date(year, month - 1, day, hour, minute, second, ms).getTime();
    // The constructor reads years 0-99 as 1900-1999.
    const local = new Date(0);
    local.setFullYear(year, month - 1, day);
    local.setHours(hour, minute, second, ms);
    return local.getTime();
  }
  const offset = offsetMinutes(zone);
  if (offset === undefined) return undefined;
  let utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (year < 100) {
    const d = new Date(utc);
    d.setUTCFullYear(year);
    utc = d.getTime();
  }
  return utc - offset * 60_000;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** The local calendar day of an instant, `YYYY-MM-DD`. */
export function localDay(epochMs: number): string {
  const d = new Date(epochMs);
  return `${String(d.getFullYear()).padStart(4, '0')}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/** True for a time written with a zone (`Z` or an offset); false for a naive one. */
export function hasZone(value: string): boolean {
  return conventionOf(value) === 'zoned';
}

/** By the grammar alone (detection looks at every cell of a file): undefined for what is not written as a time. */
function conventionOf(text: string): 'zoned' | 'naive' | undefined {
  const m = ISO_TIME.exec(text);
  if (!m) return undefined;
  return m[8] === undefined ? 'naive' : 'zoned';
}

/**
 * The convention the rows already use, read from every time cell: `local` when most are naive,
 * `utc` when most carry a zone, undefined when there is no time at all. A tie goes to `local`,
 * which both systems read, while a `Z` time stops the seed system's tracker. By majority rather
 * than the latest time, so that one hand-typed time does not switch a whole file.
 */
export function detectTimeFormat(rows: Iterable<Readonly<Job>>): TimeFormat | undefined {
  let zoned = 0;
  let naive = 0;
  for (const row of rows) {
    for (const column of TIME_CELLS) {
      const text = column === COOLDOWN_COLUMN ? row.extra?.[COOLDOWN_COLUMN] : row[column];
      if (!text) continue;
      const convention = conventionOf(text);
      if (convention === 'zoned') zoned++;
      else if (convention === 'naive') naive++;
    }
  }
  if (zoned + naive === 0) return undefined;
  return naive >= zoned ? 'local' : 'utc';
}

/** How daycap writes times into these rows: the rows' own convention, else the configured one, else `utc`. */
export function ledgerTimeFormat(rows: Iterable<Readonly<Job>>, configured?: TimeFormat): TimeFormat {
  return detectTimeFormat(rows) ?? configured ?? 'utc';
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/** `Z` → 0, `+05:30` / `+0530` / `+05` → 330 / 330 / 300, `-08:00` → -480; undefined past ±23:59. */
function offsetMinutes(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

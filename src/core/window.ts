/**
 * Posting windows: whether claiming is allowed at an instant, and the exact instant that next
 * changes. Instants are epoch ms; the wall clock of the window's time zone comes from Intl, so
 * daylight-saving gaps and repeats follow the platform's time zone data.
 *
 * A local minute is inside the window if any range covers it, so a range that lies wholly in a
 * spring-forward gap does not open that day, and one in a repeated fall-back hour opens twice.
 */
import type { PostingWindows, TimeRange } from './policy.js';

export type WindowState = { open: true; closesAt: number } | { open: false; opensAt: number };

const SECOND_MS = 1000;
const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;
/** Each pass finds the change or crosses one offset transition; real zones need two passes at most. */
const MAX_OFFSET_CHANGES = 8;

const CLOCK = /^(\d{1,2}):(\d{2})$/;
const RANGE = /^\s*(\S+?)\s*[-\u2013]\s*(\S+)\s*$/;

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

/** Minutes since midnight, or undefined; `24:00` only where it may end a range. */
function clockMinutes(text: string, allowEndOfDay: boolean): number | undefined {
  const match = CLOCK.exec(text.trim());
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (minutes > 59) return undefined;
  const total = hours * 60 + minutes;
  if (total < DAY_MINUTES) return total;
  return allowEndOfDay && total === DAY_MINUTES ? total : undefined;
}

function formatClock(minutes: number): string {
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${hh}:${mm}`;
}

/** Start and end in minutes since midnight (end up to 1440), or a RangeError naming `shown`. */
function rangeBounds(startText: string, endText: string, shown: string): [number, number] {
  const start = clockMinutes(startText, false);
  if (start === undefined) {
    throw new RangeError(`Time range "${shown}": start "${startText}" is not a time of day (00:00 to 23:59)`);
  }
  const end = clockMinutes(endText, true);
  if (end === undefined) {
    throw new RangeError(`Time range "${shown}": end "${endText}" is not a time of day (00:00 to 24:00)`);
  }
  if (start === end) {
    throw new RangeError(`Time range "${shown}" starts and ends at the same time; use 00:00-24:00 for the whole day`);
  }
  return [start, end];
}

export function parseTimeRange(text: string): TimeRange {
  const match = RANGE.exec(text);
  if (!match) {
    throw new RangeError(`Time range "${text}" is not HH:MM-HH:MM (e.g. 08:00-23:00 or 22:00-02:00)`);
  }
  const [start, end] = rangeBounds(match[1]!, match[2]!, text.trim());
  return { start: formatClock(start), end: formatClock(end) };
}

type Schedule =
  | { kind: 'constant'; open: boolean }
  /** Per local minute of day: inside the window (1) or not, and minutes until that flips. */
  | { kind: 'daily'; open: Uint8Array; untilChange: Uint16Array };

/** Ranges come from configuration and are reused for every call, so compile each list once. */
const schedules = new WeakMap<readonly TimeRange[], Schedule>();

function scheduleFor(ranges: readonly TimeRange[]): Schedule {
  let schedule = schedules.get(ranges);
  if (schedule === undefined) {
    schedule = compileSchedule(ranges);
    schedules.set(ranges, schedule);
  }
  return schedule;
}

function compileSchedule(ranges: readonly TimeRange[]): Schedule {
  const open = new Uint8Array(DAY_MINUTES);
  for (const range of ranges) {
    const [start, end] = rangeBounds(range.start, range.end, `${range.start}-${range.end}`);
    if (start < end) {
      open.fill(1, start, end);
    } else {
      open.fill(1, start, DAY_MINUTES);
      open.fill(1, 0, end);
    }
  }
  const edge = open.findIndex((value, minute) => value !== open[mod(minute - 1, DAY_MINUTES)]);
  if (edge === -1) return { kind: 'constant', open: open[0] === 1 };
  return { kind: 'daily', open, untilChange: minutesUntilChange(open, edge) };
}

/** Walks backwards around the day from a minute where the state flips, so each entry reuses the next. */
function minutesUntilChange(open: Uint8Array, edge: number): Uint16Array {
  const until = new Uint16Array(DAY_MINUTES);
  for (let step = 1; step <= DAY_MINUTES; step++) {
    const minute = mod(edge - step, DAY_MINUTES);
    const next = (minute + 1) % DAY_MINUTES;
    until[minute] = open[minute] !== open[next] ? 1 : until[next]! + 1;
  }
  return until;
}

/** Formatting is the costly part of a lookup and its setup is costlier still, so keep one per zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        calendar: 'gregory',
        numberingSystem: 'latn',
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`Unknown time zone "${timeZone}" (expected an IANA name such as Europe/Berlin or UTC)`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local wall-clock reading at an instant, expressed as if that reading were UTC. */
function wallClock(formatter: Intl.DateTimeFormat, epochMs: number): number {
  if (!Number.isFinite(epochMs)) throw new RangeError(`Not an instant: ${epochMs}`);
  const fields = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  for (const part of formatter.formatToParts(epochMs)) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  // Intl has second resolution, so the milliseconds carry over from the instant itself.
  const { year, month, day, hour, minute, second } = fields;
  return Date.UTC(year, month - 1, day, hour % 24, minute, second) + mod(epochMs, SECOND_MS);
}

function offsetAt(formatter: Intl.DateTimeFormat, epochMs: number): number {
  return wallClock(formatter, epochMs) - epochMs;
}

function minuteOfDay(wall: number): number {
  return mod(Math.floor(wall / MINUTE_MS), DAY_MINUTES);
}

export function localMinuteOfDay(epochMs: number, timeZone: string): number {
  return minuteOfDay(wallClock(formatterFor(timeZone), epochMs));
}

export function isOpen(windows: PostingWindows, now: number): boolean {
  const schedule = scheduleFor(windows.ranges);
  if (schedule.kind === 'constant') return schedule.open;
  return schedule.open[localMinuteOfDay(now, windows.timeZone)] === 1;
}

export function windowState(windows: PostingWindows, now: number): WindowState {
  const schedule = scheduleFor(windows.ranges);
  if (schedule.kind === 'constant') {
    const never = Number.POSITIVE_INFINITY;
    return schedule.open ? { open: true, closesAt: never } : { open: false, opensAt: never };
  }
  const formatter = formatterFor(windows.timeZone);
  const offset = offsetAt(formatter, now);
  const open = schedule.open[minuteOfDay(now + offset)] === 1;
  const at = nextChange(schedule, formatter, now, offset, open);
  return open ? { open: true, closesAt: at } : { open: false, opensAt: at };
}

/**
 * While the offset holds, the wall clock runs with real time, so the next edge is a fixed wall
 * distance ahead. If the offset differs there, a transition lies in between: the state can only
 * have changed at that transition, so find it, test it, and carry on from it. An edge is at most
 * a day ahead, and no current zone changes its offset twice within a day, so one transition is the most
 * that can lie in between.
 */
function nextChange(
  schedule: Extract<Schedule, { kind: 'daily' }>,
  formatter: Intl.DateTimeFormat,
  now: number,
  offsetNow: number,
  open: boolean,
): number {
  let from = now;
  let offset = offsetNow;
  for (let crossed = 0; crossed <= MAX_OFFSET_CHANGES; crossed++) {
    const wall = from + offset;
    const edge = from + schedule.untilChange[minuteOfDay(wall)]! * MINUTE_MS - mod(wall, MINUTE_MS);
    if (offsetAt(formatter, edge) === offset) return edge;
    from = transitionBetween(formatter, from, offset, edge);
    offset = offsetAt(formatter, from);
    if ((schedule.open[minuteOfDay(from + offset)] === 1) !== open) return from;
  }
  throw new Error(`Posting window state did not settle after ${MAX_OFFSET_CHANGES} time zone offset changes`);
}

/**
 * The first instant after `from` whose offset is not `offset`, known to be at or before `to`.
 * Zone offsets change on whole seconds (Intl reports no finer), so the search is over seconds.
 */
function transitionBetween(formatter: Intl.DateTimeFormat, from: number, offset: number, to: number): number {
  let before = Math.floor(from / SECOND_MS) * SECOND_MS;
  let after = Math.ceil(to / SECOND_MS) * SECOND_MS;
  while (after - before > SECOND_MS) {
    const middle = before + Math.floor((after - before) / (2 * SECOND_MS)) * SECOND_MS;
    if (offsetAt(formatter, middle) === offset) before = middle;
    else after = middle;
  }
  return after;
}

function showClock(text: string): string {
  const minutes = clockMinutes(text, true);
  return minutes === undefined ? text : formatClock(minutes);
}

export function describeWindows(windows: PostingWindows): string {
  if (windows.ranges.length === 0) return `never open (${windows.timeZone})`;
  const ranges = windows.ranges.map((range) => `${showClock(range.start)}\u2013${showClock(range.end)}`);
  return `${ranges.join(', ')} ${windows.timeZone}`;
}

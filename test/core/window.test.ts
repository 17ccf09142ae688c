import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PostingWindows } from '../../src/core/policy.js';
import {
  describeWindows,
  isOpen,
  isValidTimeZone,
  localMinuteOfDay,
  parseTimeRange,
  windowState,
  type WindowState,
} from '../../src/core/window.js';

const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${iso}`);
  return ms;
};

const windows = (timeZone: string, ...ranges: string[]): PostingWindows => ({
  timeZone,
  ranges: ranges.map(parseTimeRange),
  atEnd: 'wait',
});

const openUntil = (iso: string): WindowState => ({ open: true, closesAt: at(iso) });
const closedUntil = (iso: string): WindowState => ({ open: false, opensAt: at(iso) });

/** Follows the state from `from` through its next `count` changes, as ISO instants. */
function changes(w: PostingWindows, from: string, count: number): string[] {
  const seen: string[] = [];
  let now = at(from);
  for (let i = 0; i < count; i++) {
    const state = windowState(w, now);
    now = state.open ? state.closesAt : state.opensAt;
    seen.push(`${state.open ? 'closes' : 'opens'} ${new Date(now).toISOString()}`);
  }
  return seen;
}

describe('parseTimeRange', () => {
  it('accepts a hyphen, an en dash, spaces around the dash and a 24:00 end', () => {
    expect(parseTimeRange('08:00-23:00')).toEqual({ start: '08:00', end: '23:00' });
    expect(parseTimeRange('08:00\u201323:00')).toEqual({ start: '08:00', end: '23:00' });
    expect(parseTimeRange('22:00 - 02:00')).toEqual({ start: '22:00', end: '02:00' });
    expect(parseTimeRange(' 22:00 \u2013 02:30 ')).toEqual({ start: '22:00', end: '02:30' });
    expect(parseTimeRange('00:00-24:00')).toEqual({ start: '00:00', end: '24:00' });
    expect(parseTimeRange('18:00-00:00')).toEqual({ start: '18:00', end: '00:00' });
  });

  it('writes a one-digit hour with two digits', () => {
    expect(parseTimeRange('8:00-9:30')).toEqual({ start: '08:00', end: '09:30' });
  });

  it.each([
    ['', /not HH:MM-HH:MM/],
    ['08:00', /not HH:MM-HH:MM/],
    ['08:00 23:00', /not HH:MM-HH:MM/],
    ['08:00\u201423:00', /not HH:MM-HH:MM/],
    ['8-23', /start "8" is not a time of day/],
    ['08:00-23', /end "23" is not a time of day/],
    ['24:00-02:00', /start "24:00"/],
    ['25:00-02:00', /start "25:00"/],
    ['08:60-09:00', /start "08:60"/],
    ['08:00-24:01', /end "24:01"/],
    ['08:00-9:5', /end "9:5"/],
    ['ab:cd-ef:gh', /start "ab:cd"/],
    ['08:00-09:00-10:00', /end "09:00-10:00"/],
    ['08:00-08:00', /starts and ends at the same time/],
    ['00:00-00:00', /starts and ends at the same time/],
  ])('refuses %j', (text, message) => {
    expect(() => parseTimeRange(text)).toThrow(RangeError);
    expect(() => parseTimeRange(text)).toThrow(message);
  });
});

describe('isValidTimeZone', () => {
  it.each(['Europe/Berlin', 'UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Etc/GMT+5'])(
    'accepts %s',
    (zone) => expect(isValidTimeZone(zone)).toBe(true),
  );

  it.each(['', '  ', 'Foo/Bar', 'Europe/Berlinn', 'Mars/Olympus_Mons'])('refuses %j', (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
  });

  it('makes windowState throw a RangeError naming the zone', () => {
    expect(() => windowState(windows('Foo/Bar', '08:00-09:00'), at('2026-07-01T00:00:00Z'))).toThrow(
      /Unknown time zone "Foo\/Bar"/,
    );
  });
});

describe('localMinuteOfDay', () => {
  it('reads the wall clock of the zone, including half-hour offsets', () => {
    expect(localMinuteOfDay(at('2026-07-01T10:15:59.999Z'), 'UTC')).toBe(10 * 60 + 15);
    expect(localMinuteOfDay(at('2026-07-01T10:15:00Z'), 'Europe/Berlin')).toBe(12 * 60 + 15);
    expect(localMinuteOfDay(at('2026-01-01T10:15:00Z'), 'Europe/Berlin')).toBe(11 * 60 + 15);
    expect(localMinuteOfDay(at('2026-06-01T00:00:00Z'), 'Asia/Kolkata')).toBe(5 * 60 + 30);
    expect(localMinuteOfDay(at('2026-06-01T18:29:59Z'), 'Asia/Kolkata')).toBe(1439);
    expect(localMinuteOfDay(at('2026-06-01T18:30:00Z'), 'Asia/Kolkata')).toBe(0);
  });

  it('handles instants before 1970', () => {
    expect(localMinuteOfDay(at('1969-12-31T23:59:30.500Z'), 'UTC')).toBe(1439);
  });
});

describe('windowState: a simple range', () => {
  const berlin = windows('Europe/Berlin', '08:00-23:00');

  it('is open inside and reports the close', () => {
    expect(windowState(berlin, at('2026-07-01T10:00:00Z'))).toEqual(openUntil('2026-07-01T21:00:00Z'));
    expect(isOpen(berlin, at('2026-07-01T10:00:00Z'))).toBe(true);
  });

  it('is closed outside and reports the opening, later that day or the next', () => {
    expect(windowState(berlin, at('2026-07-01T02:00:00Z'))).toEqual(closedUntil('2026-07-01T06:00:00Z'));
    expect(windowState(berlin, at('2026-07-01T21:30:00Z'))).toEqual(closedUntil('2026-07-02T06:00:00Z'));
    expect(isOpen(berlin, at('2026-07-01T21:30:00Z'))).toBe(false);
  });

  it('opens at exactly 08:00:00.000 local and closes at exactly 23:00:00.000', () => {
    expect(windowState(berlin, at('2026-07-01T05:59:59.999Z'))).toEqual(closedUntil('2026-07-01T06:00:00Z'));
    expect(windowState(berlin, at('2026-07-01T06:00:00.000Z'))).toEqual(openUntil('2026-07-01T21:00:00Z'));
    expect(windowState(berlin, at('2026-07-01T20:59:59.999Z'))).toEqual(openUntil('2026-07-01T21:00:00Z'));
    expect(windowState(berlin, at('2026-07-01T21:00:00.000Z'))).toEqual(closedUntil('2026-07-02T06:00:00Z'));
  });

  it('follows the winter offset', () => {
    expect(windowState(berlin, at('2026-01-15T06:30:00Z'))).toEqual(closedUntil('2026-01-15T07:00:00Z'));
    expect(windowState(berlin, at('2026-01-15T07:00:00Z'))).toEqual(openUntil('2026-01-15T22:00:00Z'));
  });

  it('treats seconds and milliseconds inside a minute like the rest of that minute', () => {
    const utc = windows('UTC', '08:00-08:01');
    expect(windowState(utc, at('2026-07-01T08:00:59.999Z'))).toEqual(openUntil('2026-07-01T08:01:00Z'));
    expect(windowState(utc, at('2026-07-01T07:59:30.250Z'))).toEqual(closedUntil('2026-07-01T08:00:00Z'));
  });
});

describe('windowState: across midnight', () => {
  const night = windows('UTC', '22:00-02:00');

  it('is open on both sides of midnight and closes at 02:00', () => {
    expect(windowState(night, at('2026-07-01T23:00:00Z'))).toEqual(openUntil('2026-07-02T02:00:00Z'));
    expect(windowState(night, at('2026-07-02T00:00:00Z'))).toEqual(openUntil('2026-07-02T02:00:00Z'));
    expect(windowState(night, at('2026-07-02T01:59:59.999Z'))).toEqual(openUntil('2026-07-02T02:00:00Z'));
  });

  it('is closed in the day and opens at 22:00', () => {
    expect(windowState(night, at('2026-07-02T02:00:00Z'))).toEqual(closedUntil('2026-07-02T22:00:00Z'));
    expect(windowState(night, at('2026-07-02T21:59:00Z'))).toEqual(closedUntil('2026-07-02T22:00:00Z'));
  });

  it('treats an end of 00:00 and of 24:00 alike', () => {
    for (const end of ['00:00', '24:00']) {
      const evening = windows('UTC', `18:00-${end}`);
      expect(windowState(evening, at('2026-07-01T19:00:00Z'))).toEqual(openUntil('2026-07-02T00:00:00Z'));
      expect(windowState(evening, at('2026-07-02T00:00:00Z'))).toEqual(closedUntil('2026-07-02T18:00:00Z'));
    }
  });
});

describe('windowState: several ranges', () => {
  it('is closed between two ranges and opens at the next', () => {
    const split = windows('UTC', '08:00-12:00', '14:00-18:00');
    expect(windowState(split, at('2026-07-01T12:30:00Z'))).toEqual(closedUntil('2026-07-01T14:00:00Z'));
    expect(windowState(split, at('2026-07-01T09:00:00Z'))).toEqual(openUntil('2026-07-01T12:00:00Z'));
    expect(windowState(split, at('2026-07-01T19:00:00Z'))).toEqual(closedUntil('2026-07-02T08:00:00Z'));
  });

  it('merges overlapping and adjacent ranges, in any order', () => {
    const overlapping = windows('UTC', '11:00-15:00', '08:00-12:00');
    expect(windowState(overlapping, at('2026-07-01T09:00:00Z'))).toEqual(openUntil('2026-07-01T15:00:00Z'));
    const adjacent = windows('UTC', '08:00-12:00', '12:00-16:00');
    expect(windowState(adjacent, at('2026-07-01T09:00:00Z'))).toEqual(openUntil('2026-07-01T16:00:00Z'));
    const aroundMidnight = windows('UTC', '22:00-24:00', '00:00-06:00');
    expect(windowState(aroundMidnight, at('2026-07-01T23:00:00Z'))).toEqual(openUntil('2026-07-02T06:00:00Z'));
  });

  it('the example from describeWindows', () => {
    const w = windows('UTC', '22:00-02:00', '08:00-12:00');
    expect(changes(w, '2026-07-01T01:00:00Z', 4)).toEqual([
      'closes 2026-07-01T02:00:00.000Z',
      'opens 2026-07-01T08:00:00.000Z',
      'closes 2026-07-01T12:00:00.000Z',
      'opens 2026-07-01T22:00:00.000Z',
    ]);
  });
});

describe('windowState: the whole day and no day', () => {
  it('never closes when the union covers the day', () => {
    const infinite = { open: true, closesAt: Number.POSITIVE_INFINITY };
    expect(windowState(windows('Europe/Berlin', '00:00-24:00'), at('2026-03-29T01:00:00Z'))).toEqual(infinite);
    expect(windowState(windows('UTC', '20:00-08:00', '08:00-20:00'), at('2026-07-01T10:00:00Z'))).toEqual(infinite);
    expect(windowState(windows('UTC', '06:00-05:00', '04:30-06:30'), at('2026-07-01T05:10:00Z'))).toEqual(infinite);
    expect(isOpen(windows('UTC', '00:00-24:00'), at('2026-07-01T10:00:00Z'))).toBe(true);
  });

  it('never opens without ranges', () => {
    const none: PostingWindows = { timeZone: 'UTC', ranges: [], atEnd: 'end' };
    expect(windowState(none, at('2026-07-01T10:00:00Z'))).toEqual({ open: false, opensAt: Number.POSITIVE_INFINITY });
    expect(isOpen(none, at('2026-07-01T10:00:00Z'))).toBe(false);
  });

  it('refuses malformed ranges given as data', () => {
    const bad: PostingWindows = { timeZone: 'UTC', ranges: [{ start: '8am', end: '09:00' }], atEnd: 'wait' };
    expect(() => windowState(bad, at('2026-07-01T10:00:00Z'))).toThrow(/start "8am"/);
    const empty: PostingWindows = { timeZone: 'UTC', ranges: [{ start: '09:00', end: '09:00' }], atEnd: 'wait' };
    expect(() => isOpen(empty, at('2026-07-01T10:00:00Z'))).toThrow(/same time/);
  });

  it('refuses an instant that is not a number', () => {
    expect(() => windowState(windows('UTC', '08:00-09:00'), Number.NaN)).toThrow(RangeError);
  });
});

describe('windowState: Europe/Berlin spring forward, 2026-03-29 (02:00 CET becomes 03:00 CEST at 01:00Z)', () => {
  it('opens a window that starts in the gap at the first instant after it (03:00 CEST)', () => {
    const w = windows('Europe/Berlin', '02:30-05:00');
    expect(windowState(w, at('2026-03-29T00:00:00Z'))).toEqual(closedUntil('2026-03-29T01:00:00Z'));
    expect(windowState(w, at('2026-03-29T00:59:59.999Z'))).toEqual(closedUntil('2026-03-29T01:00:00Z'));
    expect(windowState(w, at('2026-03-29T01:00:00Z'))).toEqual(openUntil('2026-03-29T03:00:00Z'));
  });

  it('closes a window that ends in the gap when the gap starts', () => {
    const w = windows('Europe/Berlin', '01:00-02:30');
    expect(windowState(w, at('2026-03-29T00:10:00Z'))).toEqual(openUntil('2026-03-29T01:00:00Z'));
    const night = windows('Europe/Berlin', '22:00-02:30');
    expect(windowState(night, at('2026-03-28T22:00:00Z'))).toEqual(openUntil('2026-03-29T01:00:00Z'));
  });

  it('skips a window wholly inside the gap for that day', () => {
    const w = windows('Europe/Berlin', '02:00-02:30');
    expect(windowState(w, at('2026-03-28T23:00:00Z'))).toEqual(closedUntil('2026-03-30T00:00:00Z'));
  });

  it('has a day one hour shorter for windows away from the gap', () => {
    const w = windows('Europe/Berlin', '08:00-23:00');
    expect(windowState(w, at('2026-03-28T22:30:00Z'))).toEqual(closedUntil('2026-03-29T06:00:00Z'));
    expect(windowState(w, at('2026-03-28T12:00:00Z'))).toEqual(openUntil('2026-03-28T22:00:00Z'));
  });

  it('keeps a window that spans the gap open through it', () => {
    const w = windows('Europe/Berlin', '01:30-03:30');
    expect(windowState(w, at('2026-03-29T00:45:00Z'))).toEqual(openUntil('2026-03-29T01:30:00Z'));
  });
});

describe('windowState: Europe/Berlin fall back, 2026-10-25 (03:00 CEST becomes 02:00 CET at 01:00Z)', () => {
  it('opens a window inside the repeated hour in both occurrences', () => {
    const w = windows('Europe/Berlin', '02:00-02:30');
    expect(changes(w, '2026-10-24T23:00:00Z', 5)).toEqual([
      'opens 2026-10-25T00:00:00.000Z',
      'closes 2026-10-25T00:30:00.000Z',
      'opens 2026-10-25T01:00:00.000Z',
      'closes 2026-10-25T01:30:00.000Z',
      'opens 2026-10-26T01:00:00.000Z',
    ]);
    expect(windowState(w, at('2026-10-25T00:10:00Z'))).toEqual(openUntil('2026-10-25T00:30:00Z'));
    expect(windowState(w, at('2026-10-25T01:15:00Z'))).toEqual(openUntil('2026-10-25T01:30:00Z'));
  });

  it('closes a window ending at the repeat when the clock goes back, and reopens it', () => {
    const w = windows('Europe/Berlin', '02:30-03:00');
    expect(windowState(w, at('2026-10-25T00:45:00Z'))).toEqual(openUntil('2026-10-25T01:00:00Z'));
    expect(windowState(w, at('2026-10-25T01:00:00Z'))).toEqual(closedUntil('2026-10-25T01:30:00Z'));
    expect(windowState(w, at('2026-10-25T01:30:00Z'))).toEqual(openUntil('2026-10-25T02:00:00Z'));
  });

  it('keeps a window covering the whole repeated hour open across the change', () => {
    const w = windows('Europe/Berlin', '02:00-03:00');
    expect(windowState(w, at('2026-10-25T00:00:00Z'))).toEqual(openUntil('2026-10-25T02:00:00Z'));
  });

  it('has a day one hour longer for windows away from the change', () => {
    const w = windows('Europe/Berlin', '08:00-23:00');
    expect(windowState(w, at('2026-10-24T22:00:00Z'))).toEqual(closedUntil('2026-10-25T07:00:00Z'));
  });
});

describe('windowState: America/New_York', () => {
  it('spring forward 2026-03-08: 02:00 EST becomes 03:00 EDT at 07:00Z', () => {
    const gap = windows('America/New_York', '02:15-04:00');
    expect(windowState(gap, at('2026-03-08T06:00:00Z'))).toEqual(closedUntil('2026-03-08T07:00:00Z'));
    expect(windowState(gap, at('2026-03-08T07:00:00Z'))).toEqual(openUntil('2026-03-08T08:00:00Z'));
    const office = windows('America/New_York', '09:00-17:00');
    expect(windowState(office, at('2026-03-07T23:00:00Z'))).toEqual(closedUntil('2026-03-08T13:00:00Z'));
  });

  it('fall back 2026-11-01: 02:00 EDT becomes 01:00 EST at 06:00Z', () => {
    const repeated = windows('America/New_York', '01:00-01:30');
    expect(changes(repeated, '2026-11-01T04:00:00Z', 4)).toEqual([
      'opens 2026-11-01T05:00:00.000Z',
      'closes 2026-11-01T05:30:00.000Z',
      'opens 2026-11-01T06:00:00.000Z',
      'closes 2026-11-01T06:30:00.000Z',
    ]);
    const lateNight = windows('America/New_York', '22:00-01:30');
    expect(windowState(lateNight, at('2026-11-01T03:00:00Z'))).toEqual(openUntil('2026-11-01T05:30:00Z'));
    expect(windowState(lateNight, at('2026-11-01T05:30:00Z'))).toEqual(closedUntil('2026-11-01T06:00:00Z'));
  });
});

describe('windowState: half-hour offsets', () => {
  it('Asia/Kolkata (+05:30)', () => {
    const w = windows('Asia/Kolkata', '09:00-18:00');
    expect(windowState(w, at('2026-06-01T03:29:59.999Z'))).toEqual(closedUntil('2026-06-01T03:30:00Z'));
    expect(windowState(w, at('2026-06-01T03:30:00Z'))).toEqual(openUntil('2026-06-01T12:30:00Z'));
    expect(windowState(w, at('2026-06-01T12:30:00Z'))).toEqual(closedUntil('2026-06-02T03:30:00Z'));
  });

  it('Australia/Lord_Howe DST end 2026-04-05: 02:00 (+11) becomes 01:30 (+10:30) at 2026-04-04T15:00Z', () => {
    const wholeRepeat = windows('Australia/Lord_Howe', '01:30-02:00');
    expect(windowState(wholeRepeat, at('2026-04-04T14:40:00Z'))).toEqual(openUntil('2026-04-04T15:30:00Z'));
    const partRepeat = windows('Australia/Lord_Howe', '01:45-02:00');
    expect(changes(partRepeat, '2026-04-04T14:00:00Z', 4)).toEqual([
      'opens 2026-04-04T14:45:00.000Z',
      'closes 2026-04-04T15:00:00.000Z',
      'opens 2026-04-04T15:15:00.000Z',
      'closes 2026-04-04T15:30:00.000Z',
    ]);
  });

  it('Australia/Lord_Howe DST start 2026-10-04: 02:00 (+10:30) becomes 02:30 (+11) at 2026-10-03T15:30Z', () => {
    const gap = windows('Australia/Lord_Howe', '02:10-03:00');
    expect(windowState(gap, at('2026-10-03T15:00:00Z'))).toEqual(closedUntil('2026-10-03T15:30:00Z'));
    expect(windowState(gap, at('2026-10-03T15:30:00Z'))).toEqual(openUntil('2026-10-03T16:00:00Z'));
    const inGap = windows('Australia/Lord_Howe', '02:05-02:25');
    expect(windowState(inGap, at('2026-10-03T15:00:00Z'))).toEqual(closedUntil('2026-10-04T15:05:00Z'));
  });
});

describe('describeWindows', () => {
  it('lists the ranges with an en dash, then the zone', () => {
    expect(describeWindows(windows('Europe/Berlin', '08:00-23:00'))).toBe('08:00\u201323:00 Europe/Berlin');
    expect(describeWindows(windows('UTC', '22:00-02:00', '08:00-12:00'))).toBe('22:00\u201302:00, 08:00\u201312:00 UTC');
  });

  it('writes hours with two digits and says when there is no range', () => {
    const loose: PostingWindows = { timeZone: 'UTC', ranges: [{ start: '8:00', end: '9:30' }], atEnd: 'wait' };
    expect(describeWindows(loose)).toBe('08:00\u201309:30 UTC');
    expect(describeWindows({ timeZone: 'UTC', ranges: [], atEnd: 'end' })).toBe('never open (UTC)');
  });
});

/**
 * Reference: a minute-by-minute walk of the wall clock through its own Intl formatter. Every
 * zone used here has whole-minute offsets in 2026, so the local minute can only change on a UTC
 * minute boundary.
 */
const referenceFormatters = new Map<string, Intl.DateTimeFormat>();

function referenceMinute(epochMs: number, timeZone: string): number {
  let formatter = referenceFormatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    referenceFormatters.set(timeZone, formatter);
  }
  const [hours, minutes] = formatter.format(epochMs).split(':').map(Number);
  return (hours! % 24) * 60 + minutes!;
}

type MinuteRange = { start: number; end: number };

function referenceOpen(ranges: readonly MinuteRange[], minute: number): boolean {
  return ranges.some(({ start, end }) => (start < end ? start <= minute && minute < end : minute >= start || minute < end));
}

const SCAN_LIMIT_MS = 3 * 86_400_000;

function referenceState(ranges: readonly MinuteRange[], timeZone: string, now: number): WindowState {
  const open = referenceOpen(ranges, referenceMinute(now, timeZone));
  let change = Number.POSITIVE_INFINITY;
  for (let t = Math.floor(now / 60_000) * 60_000 + 60_000; t <= now + SCAN_LIMIT_MS; t += 60_000) {
    if (referenceOpen(ranges, referenceMinute(t, timeZone)) !== open) {
      change = t;
      break;
    }
  }
  return open ? { open, closesAt: change } : { open, opensAt: change };
}

const clock = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'America/St_Johns',
  'Pacific/Chatham',
];

/** Offset changes in 2026 of the zones above, so that instants near them are drawn often. */
const TRANSITIONS = [
  '2026-03-29T01:00:00Z',
  '2026-10-25T01:00:00Z',
  '2026-03-08T07:00:00Z',
  '2026-11-01T06:00:00Z',
  '2026-04-04T15:00:00Z',
  '2026-10-03T15:30:00Z',
  '2026-03-08T05:30:00Z',
  '2026-11-01T04:30:00Z',
  '2026-04-04T14:00:00Z',
  '2026-09-26T14:00:00Z',
].map(at);

const YEAR_START = at('2026-01-01T00:00:00Z');
const YEAR_END = at('2027-01-01T00:00:00Z');
const HOURS_36 = 36 * 3_600_000;

const instantArb = fc.oneof(
  fc.integer({ min: YEAR_START, max: YEAR_END - 1 }),
  fc
    .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -HOURS_36, max: HOURS_36 }))
    .map(([transition, delta]) => transition + delta),
  fc
    .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -180, max: 180 }))
    .map(([transition, minutes]) => transition + minutes * 60_000),
);

/** Edges are drawn often in the small hours, where the clocks change. */
const edgeArb = fc.oneof(
  fc.integer({ min: 0, max: 1439 }),
  fc.integer({ min: 0, max: 8 }).map((half) => 30 + half * 15),
  fc.integer({ min: 0, max: 47 }).map((half) => half * 30),
);

const rangeArb: fc.Arbitrary<MinuteRange> = fc
  .tuple(edgeArb, fc.oneof(edgeArb, fc.constant(1440)))
  .filter(([start, end]) => start !== end)
  .map(([start, end]) => ({ start, end }));

const rangesArb = fc.oneof(
  { weight: 12, arbitrary: fc.array(rangeArb, { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constant<MinuteRange[]>([]) },
  { weight: 1, arbitrary: fc.constant<MinuteRange[]>([{ start: 0, end: 1440 }]) },
);

describe('windowState: agrees with a minute-by-minute walk', () => {
  it('on the state now and the first instant it changes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), rangesArb, instantArb, (timeZone, ranges, now) => {
        const w: PostingWindows = {
          timeZone,
          ranges: ranges.map(({ start, end }) => ({ start: clock(start), end: clock(end) })),
          atEnd: 'wait',
        };
        expect(localMinuteOfDay(now, timeZone)).toBe(referenceMinute(now, timeZone));
        expect(windowState(w, now)).toEqual(referenceState(ranges, timeZone, now));
        expect(isOpen(w, now)).toBe(referenceOpen(ranges, referenceMinute(now, timeZone)));
      }),
      { numRuns: 200 },
    );
  });
});

/**
 * Ledger times: the one parser, the two conventions daycap writes, and how a ledger's convention is
 * read from its rows. Run in New York (five hours behind UTC in winter, four in summer), so a naive
 * local time read as UTC, or written as UTC, is visibly wrong.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newJob, type Job } from '../../src/core/job.js';
import { COOLDOWN_COLUMN } from '../../src/core/policy.js';
import { detectTimeFormat, hasZone, isoTime, ledgerTimeFormat, localIsoTime, parseTime, timeFormatter } from '../../src/core/time.js';
import { inTimeZone } from '../helpers/time.js';

inTimeZone('America/New_York');

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) => Date.UTC(y, mo - 1, d, h, mi, s, ms);

describe('parseTime', () => {
  it('reads a naive time as local time, as Python fromisoformat does with what the seed system wrote', () => {
    // Winter: New York is UTC-5.
    expect(parseTime('2025-12-14T09:31:02.123456')).toBe(utc(2025, 12, 14, 14, 31, 2, 123));
    expect(parseTime('2025-12-14T09:31:02')).toBe(utc(2025, 12, 14, 14, 31, 2));
    // Summer: UTC-4.
    expect(parseTime('2025-07-01T09:00:00.000001')).toBe(utc(2025, 7, 1, 13, 0, 0, 0));
  });

  it('reads every form the seed system and spreadsheets write: fractions of any length, a space, no seconds', () => {
    expect(parseTime('2025-12-14T03:13:10.5')).toBe(utc(2025, 12, 14, 8, 13, 10, 500));
    expect(parseTime('2025-12-14T03:13:10.04')).toBe(utc(2025, 12, 14, 8, 13, 10, 40));
    expect(parseTime('2025-12-14 03:13:10.999999')).toBe(utc(2025, 12, 14, 8, 13, 10, 999));
    expect(parseTime('2025-12-14t03:13')).toBe(utc(2025, 12, 14, 8, 13));
  });

  it('reads a date alone as local midnight, as fromisoformat does', () => {
    expect(parseTime('2025-12-14')).toBe(utc(2025, 12, 14, 5));
  });

  it('reads a time with a zone as that instant, whatever the machine\'s zone', () => {
    expect(parseTime('2025-12-14T09:31:02.123Z')).toBe(utc(2025, 12, 14, 9, 31, 2, 123));
    expect(parseTime('2025-12-14T09:31:02z')).toBe(utc(2025, 12, 14, 9, 31, 2));
    expect(parseTime('2025-12-14T09:31:02+05:30')).toBe(utc(2025, 12, 14, 4, 1, 2));
    expect(parseTime('2025-12-14T09:31:02+0530')).toBe(utc(2025, 12, 14, 4, 1, 2));
    expect(parseTime('2025-12-14T09:31:02-08:00')).toBe(utc(2025, 12, 14, 17, 31, 2));
    expect(parseTime('2025-12-14T09:31:02+05')).toBe(utc(2025, 12, 14, 4, 31, 2));
  });

  it.each([
    '', 'yesterday at 5', '1', 'Sun Dec 14 2025', '2025-12-14T09:31:02.', '2025-12-14T9:31',
    '2025-02-29T10:00', '2025-04-31', '2025-13-01T00:00', '2025-00-10', '2025-12-14T24:00', '2025-12-14T10:60',
    '2025-12-14T10:00:60', '2025-12-14T10:00+24:00', '2025-12-14T10:00+05:60', '2025-12-14T10:00:00 Z',
  ])('refuses %j (no lenient fallback, no rolling 30 February into March)', (text) => {
    expect(parseTime(text)).toBeUndefined();
  });

  it('reads years below 100 as written, not as 19xx', () => {
    expect(parseTime('0099-01-01T00:00Z')).toBe(Date.parse('0099-01-01T00:00:00Z'));
    expect(new Date(parseTime('0099-01-01T10:00')!).getFullYear()).toBe(99);
  });

  it('knows leap years', () => {
    expect(parseTime('2024-02-29T00:00')).toBe(utc(2024, 2, 29, 5));
    expect(parseTime('2000-02-29')).toBeDefined();
    expect(parseTime('1900-02-29')).toBeUndefined();
  });

  it('reads the repeated hour of the autumn change as its first occurrence, and the skipped spring hour as after the change', () => {
    // 01:30 happens twice on 2025-11-02 in New York: first in summer time (UTC-4).
    expect(parseTime('2025-11-02T01:30:00')).toBe(utc(2025, 11, 2, 5, 30));
    // 02:30 never happens on 2025-03-09: the clocks jump from 02:00 to 03:00.
    expect(parseTime('2025-03-09T02:30:00')).toBe(utc(2025, 3, 9, 7, 30));
  });

  it('tells a zoned time from a naive one', () => {
    expect(hasZone('2025-12-14T09:31:02Z')).toBe(true);
    expect(hasZone('2025-12-14T09:31:02-05:00')).toBe(true);
    expect(hasZone('2025-12-14T09:31:02.123456')).toBe(false);
    expect(hasZone('2025-12-14')).toBe(false);
    expect(hasZone('not a time')).toBe(false);
  });
});

describe('writing times', () => {
  it('local: exactly Python isoformat of a naive datetime, six digits of microseconds, none when zero', () => {
    expect(localIsoTime(utc(2025, 12, 14, 14, 31, 2, 123))).toBe('2025-12-14T09:31:02.123000');
    expect(localIsoTime(utc(2025, 12, 14, 14, 31, 2, 7))).toBe('2025-12-14T09:31:02.007000');
    expect(localIsoTime(utc(2025, 12, 14, 14, 31, 2))).toBe('2025-12-14T09:31:02');
    expect(localIsoTime(utc(2025, 7, 1, 3, 4, 5, 600))).toBe('2025-06-30T23:04:05.600000');
  });

  it('utc: ISO 8601 with Z, as before', () => {
    expect(isoTime(utc(2025, 12, 14, 14, 31, 2, 123))).toBe('2025-12-14T14:31:02.123Z');
    expect(timeFormatter('utc')).toBe(isoTime);
    expect(timeFormatter('local')).toBe(localIsoTime);
  });

  it('every written time reads back to the same wall clock; to the same instant except inside the repeated autumn hour', () => {
    const instant = fc.integer({ min: utc(1990, 1, 1), max: utc(2090, 1, 1) });
    fc.assert(fc.property(instant, (ms) => {
      expect(parseTime(isoTime(ms))).toBe(ms);
      const local = localIsoTime(ms);
      const back = parseTime(local)!;
      expect(localIsoTime(back)).toBe(local);
      // Naive local time cannot say which of the two 01:30s it was: read as the first, an hour early.
      expect([0, 3_600_000]).toContain(ms - back);
    }), { numRuns: 2000 });
    // The one case where the instant is lost: the second 01:30 of 2025-11-02.
    const second = utc(2025, 11, 2, 6, 30);
    expect(localIsoTime(second)).toBe('2025-11-02T01:30:00');
    expect(parseTime(localIsoTime(second))).toBe(second - 3_600_000);
  });
});

describe('the convention of a ledger', () => {
  const row = (id: string, fields: Partial<Job> = {}) => newJob({ job_id: id, account: 'a', ...fields });

  it('none when no row has a time yet: the configured convention, else UTC', () => {
    const rows = [row('1'), row('2', { status: 'skipped' })];
    expect(detectTimeFormat(rows)).toBeUndefined();
    expect(ledgerTimeFormat(rows)).toBe('utc');
    expect(ledgerTimeFormat(rows, 'local')).toBe('local');
    expect(ledgerTimeFormat([], 'utc')).toBe('utc');
  });

  it('a ledger with times keeps its own, whatever is configured', () => {
    const naive = [row('1', { status: 'success', claimed_at: '2025-12-14T09:31:02.123456', completed_at: '2025-12-14T09:33:10' })];
    const zoned = [row('1', { status: 'success', claimed_at: '2025-12-14T09:31:02.123Z', completed_at: '2025-12-14T09:33:10.000Z' })];
    expect(ledgerTimeFormat(naive, 'utc')).toBe('local');
    expect(ledgerTimeFormat(zoned, 'local')).toBe('utc');
  });

  it('counts every time cell: claimed_at, completed_at, retry_at and cooldown_until', () => {
    const rows = [
      row('1', { status: 'retrying', claimed_at: '2025-12-14T09:00:00Z', completed_at: '2025-12-14T09:01:00Z', retry_at: '2025-12-14T04:06:00' }),
      row('2', { status: 'failed', completed_at: '2025-12-14T04:02:00', extra: { [COOLDOWN_COLUMN]: '2025-12-14T05:02:00.500000' } }),
    ];
    // 2 zoned, 3 naive.
    expect(detectTimeFormat(rows)).toBe('local');
    expect(detectTimeFormat(rows.slice(0, 1))).toBe('utc');
  });

  it('a mixed file goes by the majority; a tie goes to local time, which both systems read', () => {
    const zoned = (id: string) => row(id, { status: 'success', completed_at: '2025-12-14T09:01:00Z' });
    const naive = (id: string) => row(id, { status: 'success', completed_at: '2025-12-14T04:01:00.250000' });
    expect(detectTimeFormat([zoned('1'), zoned('2'), naive('3')])).toBe('utc');
    expect(detectTimeFormat([naive('1'), naive('2'), zoned('3')])).toBe('local');
    expect(detectTimeFormat([naive('1'), zoned('2')])).toBe('local');
  });

  it('ignores cells that are not times (an unvalidated cooldown_until)', () => {
    const rows = [row('1', { status: 'failed', completed_at: '2025-12-14T09:01:00Z', extra: { [COOLDOWN_COLUMN]: 'soon' } })];
    expect(detectTimeFormat(rows)).toBe('utc');
  });
});

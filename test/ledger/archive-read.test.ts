/**
 * The tolerant archive reader on archives as the seed system writes them (csv.DictWriter: CRLF row
 * ends, LF inside quoted captions, naive local times, 9 to 17 columns) and on damaged copies of them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { archivedPostsToday, mayBePost } from '../../src/core/archived-posts.js';
import { readArchive, salvageArchive } from '../../src/ledger/archive-read.js';
import { fixture } from '../helpers/files.js';

const read = (name: string) => salvageArchive(readFileSync(fixture(`archives/${name}`)), name);
/** Possible posts per account, whatever the day (the fixtures are of 2025-12-14). */
const posts = (name: string) => Object.fromEntries(archivedPostsToday(read(name).rows, Date.parse('2025-12-14T12:00:00')));
const SEED_DAY = { account_a: 1, account_b: 1, account_e: 1 };

describe('salvageArchive on the seed system\'s own archives', () => {
  it('reads a clean 17-column archive: success and claimed may be posts, the rest are not', () => {
    const archive = read('parallel_progress_20251214.csv');
    expect(archive.damage).toEqual([]);
    expect(archive.rows.map((row) => [row.account, row.status])).toEqual([
      ['account_a', 'success'], ['account_b', 'success'], ['account_c', 'failed'], ['account_d', 'pending'],
      ['account_e', 'claimed'], ['account_f', 'retrying'], ['account_g', 'skipped'],
    ]);
    expect(archive.rows[0]).toMatchObject({ jobId: 'DM6m1Econ4x-2.mp4_spring', completedAt: '2025-12-14T09:33:40.654321', line: 2 });
    expect(posts('parallel_progress_20251214.csv')).toEqual(SEED_DAY);
  });

  it.each(['columns-9_20251214.csv', 'columns-13_20251214.csv', 'columns-15_20251214.csv', 'columns-16-platform_20251214.csv', 'bom_20251214.csv'])(
    'finds the columns by name in %s', (name) => {
      expect(read(name).damage).toEqual([]);
      expect(posts(name)).toEqual(SEED_DAY);
    },
  );

  it('counts a status typo and an older tool\'s status as possible posts, and names them', () => {
    expect(read('typo-sucess_20251214.csv').unknownStatuses).toEqual(['sucess']);
    expect(posts('typo-sucess_20251214.csv')).toEqual(SEED_DAY);
    expect(read('older-tool-status_20251214.csv').unknownStatuses).toEqual(['verification_pending']);
    expect(posts('older-tool-status_20251214.csv')).toEqual({ ...SEED_DAY, account_h: 1 });
  });

  it('a caption whose closing quote is lost does not hide the rows after it', () => {
    const archive = read('unclosed-quote_20251214.csv');
    expect(archive.damage.join('; ')).toContain('quote out of place');
    // account_b's own status is lost in the runaway field: counted. The rows it swallowed are read line by line.
    expect(posts('unclosed-quote_20251214.csv')).toEqual(SEED_DAY);
    expect(archive.rows.find((row) => row.account === 'account_c')?.status).toBe('failed');
  });

  it('a tail cut in the middle of a row: the row counts if its job and account survive', () => {
    const archive = read('truncated_20251214.csv');
    expect(archive.damage).toContain('the file ends in the middle of the row on line 8');
    expect(archive.statusLost).toBe(1);
    expect(posts('truncated_20251214.csv')).toEqual(SEED_DAY);
  });

  it('zero bytes from a crash: the rows around them are read', () => {
    const archive = read('zero-filled_20251214.csv');
    expect(archive.damage.join('; ')).toMatch(/zero bytes \(NUL\), the first at byte \d+/);
    expect(posts('zero-filled_20251214.csv')).toMatchObject(SEED_DAY);
  });

  it('a duplicate id counts once, as a post if either copy may be one; a time that is no time counts as today', () => {
    const archive = read('duplicate-id-bad-dates_20251214.csv');
    expect(archive.rows.filter((row) => row.account === 'account_a')).toHaveLength(1);
    expect(posts('duplicate-id-bad-dates_20251214.csv')).toEqual(SEED_DAY);
  });

  it('rows with too many or too few fields keep a status daycap knows, and count otherwise', () => {
    const archive = read('wrong-field-counts_20251214.csv');
    expect(archive.damage.join('; ')).toContain("without the header's 17 fields");
    expect(archive.rows.find((row) => row.account === 'account_d')?.status).toBe('pending');
    expect(posts('wrong-field-counts_20251214.csv')).toEqual(SEED_DAY);
  });
});

describe('what cannot be read at all is refused by name', () => {
  it.each([
    ['no-header_20251214.csv', /first line is not a ledger header/],
    ['all-zero_20251214.csv', /nothing but zero bytes/],
    ['not-text_20251214.csv', /not text/],
  ])('%s', (name, problem) => {
    let error: unknown;
    try {
      read(name);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'ARCHIVE_UNREADABLE', exitCode: 2 });
    expect((error as Error).message).toMatch(problem);
    expect((error as Error).message).toContain(name);
    expect((error as { hint: string }).hint).toContain(`--ignore-archive ${name}`);
  });

  it('a file that cannot be opened', async () => {
    await expect(readArchive(fixture('archives'))).rejects.toMatchObject({ code: 'ARCHIVE_UNREADABLE' });
  });

  it('an empty (0-byte) file holds nothing to count and is not refused', () => {
    expect(salvageArchive(new Uint8Array(0), 'e.csv')).toMatchObject({ rows: [], empty: true });
  });
});

describe('mayBePost', () => {
  it('only pending, retrying, failed and skipped are certainly not posts', () => {
    for (const status of ['success', 'claimed', 'unconfirmed', 'sucess', 'verification_pending', 'posted', '']) expect(mayBePost(status)).toBe(true);
    for (const status of ['pending', 'retrying', 'failed', 'skipped', ' Failed ']) expect(mayBePost(status)).toBe(false);
  });
});

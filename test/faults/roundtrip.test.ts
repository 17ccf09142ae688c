/**
 * Captions round-trip byte for byte (docs/testing.md, the round-trip suite): captions with quotes,
 * commas, CR/LF, lone CR, emoji (ZWJ sequences, flags, skin tones), combining marks, U+FEFF, U+2028
 * and a leading = + - @ or tab go through the real CLI:
 *
 *   seed (from a scheduler state, and from a campaign whose captions.csv a spreadsheet saved)
 *   → run (simulate)
 *   → (a campaign: its videos that waited for an account are seeded with more accounts)
 *   → a spreadsheet-style save of the ledger (BOM, CRLF between records, re-quoted, an extra
 *     column added, and the operator fills in accounts for the jobs that had none)
 *   → validate, status → run again.
 *
 * At every step the caption of every job, read back with a reader independent of daycap's, equals
 * the input caption exactly (and so do the extra column's values).
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { EXIT } from '../../src/runner/exit-codes.js';
import { daycap, hasStack } from '../helpers/cli.js';
import { fixture, tempDir } from '../helpers/files.js';
import { readRows, writeVideosOfState } from '../helpers/ledgers.js';

const CAPTIONS: string[] = JSON.parse(readFileSync(fixture('spreadsheet/captions.json'), 'utf8'));
const ACCOUNTS = 14;

/** What a spreadsheet writes: BOM, CRLF after every record, fields quoted when needed or always. */
function spreadsheetSave(path: string, rows: Array<Record<string, string>>, quoteAll: boolean): Buffer {
  const header = Object.keys(rows[0]!);
  const field = (value: string) => (quoteAll || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const text = '\ufeff' + [header, ...rows.map((row) => header.map((name) => row[name] ?? ''))].map((cells) => cells.map(field).join(',')).join('\r\n') + '\r\n';
  const bytes = Buffer.from(text, 'utf8');
  writeFileSync(path, bytes);
  return bytes;
}

/** Caption of each row, keyed by the input caption's index (taken from the video's file name). */
function captionsByIndex(rows: Array<Record<string, string>>): Map<number, string> {
  const out = new Map<number, string>();
  for (const row of rows) {
    const match = /(\d+)\.mp4$/.exec(row['video_path'] ?? '');
    expect(match, `video_path of ${row['job_id']}`).not.toBeNull();
    const index = Number(match![1]) - 1;
    expect(out.has(index), `two rows for caption ${index + 1}`).toBe(false);
    out.set(index, row['caption']!);
  }
  return out;
}

function hex(text: string | undefined): string {
  return text === undefined ? '(missing)' : Buffer.from(text, 'utf8').toString('hex');
}

/** Every input caption is in the ledger exactly once (or `count` of them, before all are seeded), with exactly its bytes. */
async function expectCaptionsExact(ledger: string, step: string, count = CAPTIONS.length): Promise<Array<Record<string, string>>> {
  const rows = await readRows(ledger);
  expect(rows, step).toHaveLength(count);
  const byIndex = captionsByIndex(rows);
  CAPTIONS.forEach((caption, i) => {
    if (count < CAPTIONS.length && !byIndex.has(i)) return;
    expect(hex(byIndex.get(i)), `${step}: caption ${i + 1} ${JSON.stringify(caption)} became ${JSON.stringify(byIndex.get(i))}`).toBe(hex(caption));
  });
  return rows;
}

const NOTE = (i: number) => `note ${i}: =1+1, "quoted"\r\nsecond line 🐻`;

/**
 * `leftovers`: what seeding does with the jobs no account can take, as the seed system does for each
 * source: a state's stay as rows without an account (the operator gives them one in the spreadsheet),
 * a campaign's videos wait (they are seeded once more accounts are given).
 */
async function roundTrip(dir: string, seedArgs: string[], quoteAll: boolean, leftovers: 'rows' | 'wait'): Promise<void> {
  const ledger = join(dir, 'progress.csv');
  const run = (extra: string[] = []) => daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--no-tui', ...extra], { cwd: dir });
  const waiting = CAPTIONS.length - ACCOUNTS;

  // 1. seed
  const seeded = await daycap(['seed', '--ledger', ledger, ...seedArgs], { cwd: dir });
  expect(seeded.code, seeded.stderr).toBe(0);
  let rows = await expectCaptionsExact(ledger, 'after seed', leftovers === 'rows' ? CAPTIONS.length : ACCOUNTS);
  expect(rows.filter((row) => row['account'] !== '')).toHaveLength(ACCOUNTS);

  // 2. run: every job with an account posts; the rest wait for one.
  const first = await run();
  expect(first.code, first.stderr).toBe(leftovers === 'rows' ? EXIT.JOBS_LEFT : EXIT.OK);
  expect(hasStack(first.stderr)).toBe(false);
  rows = await expectCaptionsExact(ledger, 'after the first run', leftovers === 'rows' ? CAPTIONS.length : ACCOUNTS);
  expect(rows.filter((row) => row['status'] === 'success')).toHaveLength(ACCOUNTS);
  if (leftovers === 'wait') {
    // The waiting videos are seeded with new accounts: the ones already posted are not seeded twice.
    expect(seeded.stdout).toContain(`${waiting} videos wait for another day`);
    const more = join(dir, 'more-accounts.txt');
    writeFileSync(more, Array.from({ length: waiting }, (_, i) => `sheet_acct_${i + 1}\n`).join(''));
    const reseeded = await daycap(['seed', '--ledger', ledger, ...seedArgs, '--accounts', more], { cwd: dir });
    expect(reseeded.code, reseeded.stderr).toBe(0);
    expect(reseeded.stdout).toContain(`Skipped ${ACCOUNTS} jobs already in the ledger`);
    rows = await expectCaptionsExact(ledger, 'after seeding the waiting videos');
  }

  // 3. The operator opens the ledger in a spreadsheet, gives the waiting jobs an account, adds a
  //    notes column, and saves: BOM, CRLF, fields re-quoted.
  let extra = 0;
  const edited: Array<Record<string, string>> = rows.map((row, i) => ({ ...row, account: row['account'] || `sheet_acct_${++extra}`, notes: NOTE(i) }));
  const saved = spreadsheetSave(ledger, edited, quoteAll);
  expect(saved.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  await expectCaptionsExact(ledger, 'after the spreadsheet save');

  // 4. Read-only commands accept it and leave it as saved.
  const validate = await daycap(['validate', '--ledger', ledger], { cwd: dir });
  expect(validate.code, validate.stderr).toBe(0);
  expect(validate.stdout).toContain(`is valid (${CAPTIONS.length} jobs)`);
  const status = await daycap(['status', '--ledger', ledger], { cwd: dir });
  expect(status.code, status.stderr).toBe(0);
  expect(status.stdout).toMatch(new RegExp(`success ${ACCOUNTS}\\b`));
  expect(readFileSync(ledger)).toEqual(saved);

  // 5. Run again: the newly assigned jobs post; daycap rewrites the file, and nothing has moved.
  const second = await run();
  expect(second.code, second.stdout + second.stderr).toBe(EXIT.OK);
  rows = await expectCaptionsExact(ledger, 'after the second run');
  expect(rows.every((row) => row['status'] === 'success')).toBe(true);
  rows.forEach((row) => {
    const i = edited.findIndex((e) => e['job_id'] === row['job_id']);
    expect(hex(row['notes']), `notes of ${row['job_id']}`).toBe(hex(NOTE(i)));
  });

  // 6. And once more through the read-only view of a finished day.
  const again = await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir });
  expect(again.code).toBe(0);
  await expectCaptionsExact(ledger, 'at the end');
}

describe('captions round-trip byte-exact through seed, run and a spreadsheet save', () => {
  it('the fixtures hold the captions they claim to (read independently)', async () => {
    const state = JSON.parse(readFileSync(fixture('spreadsheet/captions-state.json'), 'utf8')) as { jobs: Array<{ caption: string }> };
    expect(state.jobs.map((job) => job.caption)).toEqual(CAPTIONS);
    const campaignRows = await readRows(fixture('spreadsheet/campaign-nasty/captions.csv'));
    expect(campaignRows.map((row) => row['caption'])).toEqual(CAPTIONS);
    for (const needle of ['"', ',', '\r\n', '\n', '\r', '=', '+', '-', '@', '🐻‍❄️', '\ufeff']) expect(CAPTIONS.some((c) => c.includes(needle)), needle).toBe(true);
  });

  it('from a scheduler state (spreadsheet quotes only where needed)', async () => {
    const dir = tempDir();
    cpSync(fixture('spreadsheet/captions-state.json'), join(dir, 'state.json'));
    // The state's video paths are relative: made real in the ledger's folder, where the pre-flight looks.
    writeVideosOfState(join(dir, 'state.json'), dir);
    await roundTrip(dir, ['--state', 'state.json'], false, 'rows');
  });

  it('from a campaign folder whose captions.csv a spreadsheet saved (BOM, CRLF; quotes every field on save)', async () => {
    const dir = tempDir();
    const campaign = join(dir, basename(fixture('spreadsheet/campaign-nasty')));
    cpSync(fixture('spreadsheet/campaign-nasty'), campaign, { recursive: true });
    const before = readFileSync(join(campaign, 'captions.csv'));
    await roundTrip(dir, ['--campaign', campaign], true, 'wait');
    expect(readFileSync(join(campaign, 'captions.csv'))).toEqual(before);
  });
});

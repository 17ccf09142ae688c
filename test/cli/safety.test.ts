// The seed system's safety rule: --force-reseed needs --reset-day, and a mid-day reseed is refused (docs/commands.md#daycap-seed).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daycap, hasStack } from '../helpers/cli.js';
import { bytes, fixture, listTree, tempDir } from '../helpers/files.js';
import { SEED_HEADER, statuses, todayStamp, writeLedgerRows, writeVideosOfState } from '../helpers/ledgers.js';

const STATE = fixture('cli/states/one-job-account-a.json');
const SAFETY = 'SAFETY CHECK FAILED: --force-reseed requires --reset-day';

describe('--force-reseed without --reset-day', () => {
  it.each([
    ['seed', ['--state', STATE]],
    ['run', ['--state', STATE, '--handler', 'simulate']],
  ])('%s is refused with exit 1 before anything is read or touched', async (command, extra) => {
    const dir = tempDir();
    const ledger = writeLedgerRows(dir, ['j1,account_a,v.mp4,hi,success,0,,,'], { name: 'parallel_progress.csv', header: SEED_HEADER });
    const original = await bytes(ledger);
    const before = listTree(dir);
    const result = await daycap([command, '--ledger', ledger, ...extra, '--force-reseed'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(SAFETY);
    expect(result.stderr).toContain('would wipe posting history');
    expect(hasStack(result.stderr)).toBe(false);
    expect(await bytes(ledger)).toEqual(original);
    expect(listTree(dir)).toEqual(before);
  });

  it('is refused even when the inputs do not exist: the check comes first', async () => {
    const dir = tempDir();
    const result = await daycap(['seed', '--ledger', 'p.csv', '--state', 'missing.json', '--force-reseed'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(SAFETY);
    expect(listTree(dir)).toEqual([]);
  });
});

describe('--force-reseed without --reset-day comes before every other check', () => {
  it.each([
    ['run --ledger p.csv --force-reseed (no --handler)', ['run', '--ledger', 'p.csv', '--force-reseed']],
    ['run --force-reseed (no --ledger, no --handler)', ['run', '--force-reseed']],
    ['seed --ledger p.csv --force-reseed (no source)', ['seed', '--ledger', 'p.csv', '--force-reseed']],
    ['seed --force-reseed (no --ledger)', ['seed', '--force-reseed']],
    ['seed with --state and --campaign both given', ['seed', '--ledger', 'p.csv', '--state', 's.json', '--campaign', 'c', '--force-reseed']],
  ])('%s: the safety message and exit 1, nothing about missing options', async (_name, args) => {
    const dir = await tempDir();
    const result = await daycap(args, { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(SAFETY);
    expect(result.stderr).not.toContain('required option');
    expect(result.stdout).toBe('');
    expect(await listTree(dir)).toEqual([]);
  });

  it('--help still shows the help', async () => {
    const result = await daycap(['run', '--force-reseed', '--help'], { cwd: await tempDir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--force-reseed');
  });
});

describe('--force-reseed --reset-day', () => {
  it('is accepted: an empty (0-byte) ledger is archived as it is and the day is seeded afresh', async () => {
    const dir = tempDir();
    const ledger = join(dir, 'parallel_progress.csv');
    await writeFile(ledger, '');
    const result = await daycap(['seed', '--ledger', ledger, '--state', STATE, '--force-reseed', '--reset-day'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('SAFETY CHECK FAILED');
    expect(result.stdout).toContain('added 1 job');
    expect(listTree(dir)).toContain(`parallel_progress_${todayStamp()}.csv`);
    expect(await statuses(ledger)).toEqual({ 'morning-a-1': 'pending' });
  });
});

describe('scenario A: a mid-day reseed attempt is blocked', () => {
  it('after jobs completed, --force-reseed without --reset-day is refused and the ledger is unchanged byte for byte', async () => {
    const dir = tempDir();
    const ledger = join(dir, 'parallel_progress.csv');
    writeVideosOfState(STATE, dir);
    const ran = await daycap(['run', '--ledger', ledger, '--state', STATE, '--handler', 'simulate', '--workers', '2'], { cwd: dir });
    expect(ran.code, ran.stderr).toBe(0);
    expect(await statuses(ledger)).toEqual({ 'morning-a-1': 'success' });
    const history = await bytes(ledger);
    const before = listTree(dir);

    const refused = await daycap(['run', '--ledger', ledger, '--state', fixture('cli/states/new-batch-a-and-b.json'), '--handler', 'simulate', '--force-reseed'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(SAFETY);
    expect(refused.stdout).toBe('');
    expect(await bytes(ledger)).toEqual(history);
    expect(listTree(dir)).toEqual(before);
  });
});

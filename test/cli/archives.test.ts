/**
 * A reset never resets the cap, whatever today's archives look like: the built binary on archives
 * as the seed system writes them, damaged the ways real ones are.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daycap, hasStack } from '../helpers/cli.js';
import { fixture, tempDir } from '../helpers/files.js';
import { HEADER, readRows, statuses, todayStamp, writeVideosOfState } from '../helpers/ledgers.js';

const MORNING = fixture('cli/states/new-batch-a-and-b.json');
const AFTERNOON = fixture('cli/states/afternoon-a-b-c.json');
const EIGHT = fixture('cli/states/afternoon-a-to-h.json');

/** Today as the seed system writes dates (naive local ISO). */
function isoToday(date = new Date()): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

/** A fixture archive of 2025-12-14, moved to today: its name and the dates in it say today. */
async function asTodaysArchive(name: string, dir: string, ledgerBase: string, suffix = ''): Promise<string> {
  const bytes = Buffer.from((await readFile(fixture(`archives/${name}`))).toString('latin1').replaceAll('2025-12-14', isoToday()), 'latin1');
  const path = join(dir, `${ledgerBase}_${todayStamp()}${suffix}.csv`);
  await writeFile(path, bytes);
  return path;
}

function assignedAccounts(rows: Array<Record<string, string>>): string[] {
  return rows.map((row) => row['account']!).filter(Boolean).sort();
}

describe('the issue\'s scenario: a status typo, reset-day, seed, run', () => {
  it('gives neither account a second job, and the run posts nothing for them', async () => {
    const dir = await tempDir();
    const ledger = join(dir, 'parallel_progress.csv');
    writeVideosOfState(MORNING, dir);
    writeVideosOfState(AFTERNOON, dir);
    expect((await daycap(['seed', '--ledger', ledger, '--state', MORNING], { cwd: dir })).code).toBe(0);
    const morning = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--workers', '2'], { cwd: dir });
    expect(morning.code, morning.stderr).toBe(0);
    expect(assignedAccounts((await readRows(ledger)).filter((row) => row['status'] === 'success'))).toEqual(['account_a', 'account_b']);

    // One status typo: the ledger no longer validates.
    await writeFile(ledger, (await readFile(ledger, 'utf8')).replace(',success,', ',sucess,'));
    const validate = await daycap(['validate', '--ledger', ledger], { cwd: dir });
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain('VALIDATION FAILED');
    expect(validate.stderr).toContain(`daycap reset-day --ledger ${ledger}`);

    const reset = await daycap(['reset-day', '--ledger', ledger], { cwd: dir });
    expect(reset.code, reset.stderr).toBe(0);
    const archive = join(dir, `parallel_progress_${todayStamp()}.csv`);
    expect(reset.stdout).toContain(archive);

    const seed = await daycap(['seed', '--ledger', ledger, '--state', AFTERNOON], { cwd: dir });
    expect(seed.code, seed.stderr).toBe(0);
    expect(seed.stdout).toContain('Available accounts: 1 (excluded 2 with existing jobs)');
    expect(seed.stdout).toContain(`warning: archive ${archive}: 1 row has a status daycap does not know ("sucess"), counted as possible posts`);
    expect(assignedAccounts(await readRows(ledger))).toEqual(['account_c']);

    const afternoon = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--workers', '2'], { cwd: dir });
    expect(afternoon.code).toBe(4); // two jobs had no free account
    const posted = (await readRows(ledger)).filter((row) => row['status'] === 'success');
    expect(assignedAccounts(posted)).toEqual(['account_c']);
  });

  it('a ledger seeded by another tool after the reset: the run itself holds the accounts that posted', async () => {
    const dir = await tempDir();
    const ledger = join(dir, 'parallel_progress.csv');
    await asTodaysArchive('typo-sucess_20251214.csv', dir, 'parallel_progress');
    writeVideosOfState(AFTERNOON, dir);
    await writeFile(ledger, `${HEADER}\r\nafternoon-1,account_a,chunk_03/afternoon/afternoon-1.mp4,hi,pending,,,,,0,3,,,,,,\r\nafternoon-3,account_c,chunk_03/afternoon/afternoon-3.mp4,hi,pending,,,,,0,3,,,,,,\r\n`);
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--workers', '2'], { cwd: dir });
    expect(result.code).toBe(4);
    expect(result.stdout).toContain('Skipping job afternoon-1 - account account_a at daily limit of 1');
    expect(await statuses(ledger)).toEqual({ 'afternoon-1': 'pending', 'afternoon-3': 'success' });
  });
});

describe('seed on the seed system\'s archives, damaged or not', () => {
  it.each([
    'parallel_progress_20251214.csv', 'columns-9_20251214.csv', 'columns-13_20251214.csv', 'columns-15_20251214.csv', 'columns-16-platform_20251214.csv',
    'typo-sucess_20251214.csv', 'older-tool-status_20251214.csv', 'unclosed-quote_20251214.csv', 'truncated_20251214.csv', 'zero-filled_20251214.csv',
    'duplicate-id-bad-dates_20251214.csv', 'wrong-field-counts_20251214.csv', 'bom_20251214.csv',
  ])('%s: the accounts that posted (or may have) get nothing new', async (name) => {
    const dir = await tempDir();
    const ledger = join(dir, 'parallel_progress.csv');
    await asTodaysArchive(name, dir, 'parallel_progress');
    const result = await daycap(['seed', '--ledger', ledger, '--state', EIGHT], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const given = assignedAccounts(await readRows(ledger));
    for (const account of ['account_a', 'account_b', 'account_e']) expect(given).not.toContain(account);
    // Accounts whose rows say they did not post are free.
    for (const account of ['account_c', 'account_f', 'account_g']) expect(given).toContain(account);
    if (name === 'older-tool-status_20251214.csv') expect(given).not.toContain('account_h');
  });

  it('two archives of today (_1 after the first) both count', async () => {
    const dir = await tempDir();
    const ledger = join(dir, 'parallel_progress.csv');
    await asTodaysArchive('truncated_20251214.csv', dir, 'parallel_progress');
    await asTodaysArchive('older-tool-status_20251214.csv', dir, 'parallel_progress', '_1');
    expect((await daycap(['seed', '--ledger', ledger, '--state', EIGHT], { cwd: dir })).code).toBe(0);
    expect(assignedAccounts(await readRows(ledger))).toEqual(['account_c', 'account_d', 'account_f', 'account_g']);
  });
});

describe('an archive that cannot be read at all', () => {
  const UNREADABLE = ['not-text_20251214.csv', 'no-header_20251214.csv', 'all-zero_20251214.csv'];

  it.each(UNREADABLE)('%s stops seed with exit 2, naming it and --ignore-archive; nothing is written', async (name) => {
    const dir = await tempDir();
    const ledger = join(dir, 'parallel_progress.csv');
    const archive = await asTodaysArchive(name, dir, 'parallel_progress');
    const result = await daycap(['seed', '--ledger', ledger, '--state', EIGHT], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`daycap: ${archive}: this archive of today's ledger cannot be read`);
    expect(result.stderr).toContain(`--ignore-archive ${archive}`);
    expect(hasStack(result.stderr)).toBe(false);
    expect(await readFile(ledger).catch(() => undefined)).toBeUndefined();
  });

  it('stops run, check, status and validate too; --ignore-archive lets each go on and says so', async () => {
    const dir = await tempDir();
    const ledger = join(dir, 'parallel_progress.csv');
    const archive = await asTodaysArchive('not-text_20251214.csv', dir, 'parallel_progress');
    writeVideosOfState(EIGHT, dir);
    const ignoring = `warning: ignoring archive ${archive} as asked (--ignore-archive); its posts do not count toward today's cap`;

    const refused = await daycap(['run', '--ledger', ledger, '--state', EIGHT, '--handler', 'simulate'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(archive);
    const seeded = await daycap(['seed', '--ledger', ledger, '--state', EIGHT, '--ignore-archive', archive], { cwd: dir });
    expect(seeded.code, seeded.stderr).toBe(0);
    expect(seeded.stdout).toContain(ignoring);
    for (const command of ['check', 'status', 'validate']) {
      const stopped = await daycap([command, '--ledger', ledger], { cwd: dir });
      expect(stopped.code, command).toBe(2);
      expect(stopped.stderr).toContain(`--ignore-archive ${archive}`);
      const going = await daycap([command, '--ledger', ledger, '--ignore-archive', archive], { cwd: dir });
      expect(going.code, `${command}: ${going.stderr}`).toBe(0);
      expect(going.stderr).toContain(ignoring);
    }
    const ran = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--workers', '2', '--ignore-archive', archive], { cwd: dir });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain(ignoring);
  });

  it('run --reset-day archives first, then reads that archive too', async () => {
    const dir = await tempDir();
    const ledger = join(dir, 'parallel_progress.csv');
    writeVideosOfState(EIGHT, dir);
    // The morning's ledger, by the seed system, with a typo: reset-day archives it as it is.
    const morning = (await readFile(fixture('archives/typo-sucess_20251214.csv'), 'latin1')).replaceAll('2025-12-14', isoToday());
    await writeFile(ledger, Buffer.from(morning, 'latin1'));
    const result = await daycap(['run', '--ledger', ledger, '--state', EIGHT, '--reset-day', '--handler', 'simulate', '--workers', '2'], { cwd: dir });
    expect(result.stdout).toContain('it was archived unchanged');
    const posted = assignedAccounts((await readRows(ledger)).filter((row) => row['status'] === 'success'));
    expect(posted).toEqual(['account_c', 'account_d', 'account_f', 'account_g', 'account_h']);
  });
});

describe('cap exceeded', () => {
  it('validate, status and check warn about an account over the cap in the ledger plus today\'s archives; exit codes unchanged', async () => {
    const dir = await tempDir();
    const ledger = join(dir, 'parallel_progress.csv');
    await asTodaysArchive('parallel_progress_20251214.csv', dir, 'parallel_progress');
    await writeFile(ledger, `${HEADER}\r\nx1,account_a,v/x1.mp4,hi,success,0,,,,1,3,,,,1,,\r\nx2,account_z,v/x2.mp4,hi,success,0,,,,1,3,,,,1,,\r\nx3,account_z,v/x3.mp4,hi,claimed,0,,,,0,3,,,,1,,\r\n`);
    const validate = await daycap(['validate', '--ledger', ledger], { cwd: dir });
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toContain('warning: cap exceeded: account_a 2/1');
    expect(validate.stdout).toContain('warning: cap exceeded: account_z 2/1');
    expect((await daycap(['validate', '--ledger', ledger, '--cap', '2'], { cwd: dir })).stdout).not.toContain('cap exceeded');

    const status = await daycap(['status', '--ledger', ledger], { cwd: dir });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('cap exceeded: account_a 2/1');
    const statusJson = JSON.parse((await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir })).stdout) as { capExceeded: unknown };
    expect(statusJson.capExceeded).toEqual([{ account: 'account_a', posts: 2, cap: 1 }, { account: 'account_z', posts: 2, cap: 1 }]);

    const check = await daycap(['check', '--ledger', ledger], { cwd: dir });
    expect(check.stdout).toContain('cap exceeded: account_z 2/1');
    const checkJson = JSON.parse((await daycap(['check', '--ledger', ledger, '--json'], { cwd: dir })).stdout) as { capExceeded: unknown };
    expect(checkJson.capExceeded).toEqual([{ account: 'account_a', posts: 2, cap: 1 }, { account: 'account_z', posts: 2, cap: 1 }]);
  });
});

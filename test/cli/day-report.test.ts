import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';

import type { DayReport } from '../../src/api/day-report.js';
import { newJob, type Job } from '../../src/core/job.js';
import { encodeRecord } from '../../src/ledger/journalRecord.js';
import { journalPath, stateDir } from '../../src/ledger/paths.js';
import { daycap, hasStack } from '../helpers/cli.js';
import { bytes, listTree, tempDir } from '../helpers/files.js';
import { writeLedger } from '../helpers/ledgers.js';

const ERROR = '=cmd|\' /C calc\'!A0';
const CAPTION = 'Snow day, "finally"\nwith the pup 🐶';

function day(): Job[] {
  const done = { claimed_at: '2025-12-14T08:00:00.000Z', completed_at: '2025-12-14T08:00:03.000Z', attempts: 1 };
  return [
    newJob({ job_id: 'ok-1', account: 'amy', status: 'success', video_id: 'post-111', video_path: 'v/a.mp4', caption: CAPTION, ...done }),
    newJob({ job_id: 'bad-1', account: 'bob', status: 'failed', video_path: 'v/b.mp4', caption: '-50% today', error: ERROR, error_category: 'unknown', error_type: 'unknown', ...done }),
    newJob({ job_id: 'susp-1', account: 'cat', status: 'failed', video_path: 'v/c.mp4', caption: 'c', error: 'Your account has been suspended', error_category: 'account', error_type: 'suspended', ...done }),
    newJob({ job_id: 'wait-1', account: 'dan', video_path: 'v/d.mp4', caption: 'd' }),
  ];
}

async function setUp(): Promise<{ dir: string; ledger: string }> {
  const dir = tempDir();
  return { dir, ledger: writeLedger(dir, day()) };
}

describe('daycap report', () => {
  it('prints Markdown by default and changes nothing beside the ledger', async () => {
    const { dir, ledger } = await setUp();
    const before = { ledger: await bytes(ledger), tree: listTree(dir) };
    const result = await daycap(['report', '--ledger', ledger], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`# daycap report: ${ledger}`);
    expect(result.stdout).toContain('4 jobs over 4 accounts: 1 posted, 2 failed, 0 skipped, 1 left.');
    expect(result.stdout).toContain('| cat | 0 | 1 | 0 | 0 | frozen since 2025-12-14T08:00:03.000Z: account/suspended: Your account has been suspended (job susp-1) |');
    expect(result.stdout).toContain(`| bad-1 | bob | failed | 1/3 | 2025-12-14T08:00:03.000Z | unknown/unknown: =cmd\\|' /C calc'!A0 |`);
    expect(result.stdout).toContain('| ok-1 | amy | post-111 | 2025-12-14T08:00:03.000Z | 1/3 | v/a.mp4 | Snow day, "finally"<br>with the pup 🐶 |');
    expect(await bytes(ledger)).toEqual(before.ledger);
    expect(listTree(dir)).toEqual(before.tree);
  });

  it('--format csv prints one row per job, formula-looking cells guarded', async () => {
    const { dir, ledger } = await setUp();
    const result = await daycap(['report', '--ledger', ledger, '--format', 'csv'], { cwd: dir });
    expect(result.code).toBe(0);
    const rows = parse(result.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r['job_id'])).toEqual(['ok-1', 'bad-1', 'susp-1', 'wait-1']);
    expect(rows[0]).toMatchObject({ account: 'amy', status: 'success', post_id: 'post-111', caption: CAPTION });
    expect(rows[1]).toMatchObject({ error: `'${ERROR}`, caption: "'-50% today", error_category: 'unknown' });
    expect(rows[2]!['account_frozen']).toBe('account/suspended: Your account has been suspended (job susp-1)');
    expect(await readFile(ledger, 'utf8')).toContain(ERROR.replaceAll('"', '""'));
  });

  it('--format json prints the report as one object', async () => {
    const { dir, ledger } = await setUp();
    const result = await daycap(['report', '--ledger', ledger, '--format', 'json'], { cwd: dir });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as DayReport;
    expect(report.ledger).toBe(ledger);
    expect(report.totals).toMatchObject({ jobs: 4, accounts: 4, posted: 1, failed: 2, skipped: 0, left: { pending: 1, claimed: 0, retrying: 0, unconfirmed: 0 }, frozen: 1 });
    expect(report.accounts.map((a) => a.account)).toEqual(['amy', 'bob', 'cat', 'dan']);
    expect(report.accounts[2]!.frozen).toEqual({ reason: 'account/suspended: Your account has been suspended (job susp-1)', jobId: 'susp-1', since: '2025-12-14T08:00:03.000Z' });
    expect(report.accounts[0]!.jobs[0]!.caption).toBe(CAPTION);
    expect(Number.isNaN(Date.parse(report.generatedAt))).toBe(false);
  });

  it('--out writes the file, in the format its extension names unless --format says otherwise', async () => {
    const { dir, ledger } = await setUp();
    const csv = join(dir, 'report.csv');
    const result = await daycap(['report', '--ledger', ledger, '--out', csv], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`wrote csv report of 4 jobs over 4 accounts to ${csv}`);
    expect((await readFile(csv, 'utf8')).split('\n')[0]).toMatch(/^job_id,account,status,post_id,/);

    await writeFile(join(dir, 'old.json'), 'yesterday');
    const json = await daycap(['report', '--ledger', ledger, '--out', 'old.json'], { cwd: dir });
    expect(json.code).toBe(0);
    expect((JSON.parse(await readFile(join(dir, 'old.json'), 'utf8')) as DayReport).totals.jobs).toBe(4);

    const md = await daycap(['report', '--ledger', ledger, '--out', 'report.txt'], { cwd: dir });
    expect(md.code).toBe(0);
    expect(await readFile(join(dir, 'report.txt'), 'utf8')).toMatch(/^# daycap report: /);
    const forced = await daycap(['report', '--ledger', ledger, '--out', 'forced.csv', '--format', 'md'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(await readFile(join(dir, 'forced.csv'), 'utf8')).toMatch(/^# daycap report: /);
    expect(listTree(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('--out refuses the ledger itself and its state folder, and changes nothing', async () => {
    const { dir, ledger } = await setUp();
    const before = await bytes(ledger);
    for (const out of ['progress.csv', ledger, join(stateDir(ledger), 'report.md')]) {
      const result = await daycap(['report', '--ledger', ledger, '--out', out], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^daycap: --out .* (is the ledger itself|is inside the ledger's state folder)/);
      expect(hasStack(result.stderr)).toBe(false);
    }
    expect(await bytes(ledger)).toEqual(before);
    expect(listTree(dir)).toEqual(['progress.csv']);
  });

  it('a missing ledger is a short message and exit 2', async () => {
    const dir = tempDir();
    const result = await daycap(['report', '--ledger', 'nope.csv'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe('daycap: no ledger at nope.csv');
    expect(hasStack(result.stderr)).toBe(false);
    expect(listTree(dir)).toEqual([]);
  });

  it('an unknown --format is a usage error', async () => {
    const { dir, ledger } = await setUp();
    const result = await daycap(['report', '--ledger', ledger, '--format', 'xlsx'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('see `daycap report --help`');
  });

  it('beside an unfinished journal it includes the journal records, and leaves the journal as it is', async () => {
    const { dir, ledger } = await setUp();
    await mkdir(stateDir(ledger), { recursive: true });
    const record = encodeRecord(1, newJob({ job_id: 'wait-1', account: 'dan', status: 'success', video_id: 'post-from-journal', video_path: 'v/d.mp4', caption: 'd', completed_at: '2025-12-14T09:00:00.000Z', attempts: 1 }));
    await writeFile(journalPath(ledger), record);
    const before = { ledger: await bytes(ledger), tree: listTree(dir) };
    const json = await daycap(['report', '--ledger', ledger, '--format', 'json'], { cwd: dir });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as DayReport;
    expect(report.journalRecords).toBe(1);
    expect(report.totals.posted).toBe(2);
    expect(report.accounts[3]!.jobs[0]).toMatchObject({ jobId: 'wait-1', status: 'success', postId: 'post-from-journal' });
    const md = await daycap(['report', '--ledger', ledger], { cwd: dir });
    expect(md.stdout).toContain('Includes 1 journal record not yet folded into the CSV.');
    expect(md.stdout).toContain('| wait-1 | dan | post-from-journal |');
    expect(await readFile(journalPath(ledger), 'utf8')).toBe(record);
    expect(await bytes(ledger)).toEqual(before.ledger);
    expect(listTree(dir)).toEqual(before.tree);
  });

  it('--help names the formats, the default and --out', async () => {
    const result = await daycap(['report', '--help'], { cwd: tempDir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: daycap report');
    expect(result.stdout).toContain('--ledger <csv|url>');
    expect(result.stdout).toMatch(/--format <format>[\s\S]*else md/);
    expect(result.stdout).toContain('--out <file>');
    const top = await daycap(['--help'], { cwd: tempDir() });
    expect(top.stdout).toMatch(/^\s+report\b/m);
  });
});

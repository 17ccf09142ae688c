// The seed system's own files given to the real CLI: its campaign folders (captions of any name and
// layout, videos in any sub-folder, its progress files beside them), its posted ledger and its older ledgers.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daycap } from '../helpers/cli.js';
import { copyFixture, fixture, tempDir } from '../helpers/files.js';
import { readRows } from '../helpers/ledgers.js';

async function copyCampaign(name: string, dir: string): Promise<string> {
  const to = join(dir, name);
  await cp(fixture(`seed-system/campaigns/${name}`), to, { recursive: true });
  return to;
}

describe('daycap seed --campaign on the seed system\'s folders', () => {
  it('viral: captions_xyz.csv and clips/, seeded into its own progress.csv; the summary says what was read and skipped', async () => {
    const dir = await tempDir();
    const campaign = await copyCampaign('viral', dir);
    const ledger = join(campaign, 'progress.csv');
    const result = await daycap(['seed', '--ledger', ledger, '--campaign', campaign], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      'Campaign: viral; job ids are <video file name>_viral',
      'Captions: captions_xyz.csv (filename,onscreen_text,post_caption): caption from post_caption, matched by file name',
      'Videos: clips/ (6 .mp4 files)',
      'skipped 7 captions with no video',
      'skipped 1 video with no caption',
      'Skipped 1 jobs already in the ledger',
      'Available accounts: 2 (excluded 1 with existing jobs)',
      '2 videos wait for another day (no free account under the cap)',
      `added 2 jobs to ${ledger}`,
    ]);
    const rows = await readRows(ledger);
    expect(rows.map((row) => [row['job_id'], row['account']])).toEqual([
      ['-1UnGQwl3B1P-1.mp4_viral', 'glowingscarlets'],
      ['-1UnGQwl3B1P-2.mp4_viral', 'crookedwafflezing'],
      ['-1UnGQwl3B1P-3.mp4_viral', 'quietbaron'],
    ]);
    expect(rows[1]?.['caption']).toBe('Caption 2 for -1UnGQwl3B1P, "quoted", with a comma');

    // Seeding again the same day adds nothing: every id is there, every account is taken.
    const again = await daycap(['seed', '--ledger', ledger, '--campaign', campaign], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Skipped 3 jobs already in the ledger');
    expect(again.stdout).toContain('2 videos wait for another day (no free account under the cap)');
    expect(again.stdout).toContain(`added 0 jobs to ${ledger}`);
    expect(await readRows(ledger)).toHaveLength(3);
  });

  it('podcast: Text/shortcode captions matched by prefix, campaign.json\'s name in the job ids, the posted ledger with comments and `rebuilt` honoured', async () => {
    const dir = await tempDir();
    const campaign = await copyCampaign('podcast-2025', dir);
    const ledger = join(dir, 'progress.csv');
    const result = await daycap(['seed', '--ledger', ledger, '--campaign', campaign, '--posted-ledger', fixture('seed-system/posted/all_posted_videos.txt')], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Campaign: podcast (from campaign.json); job ids are <video file name>_podcast\n');
    expect(result.stdout).toContain('Captions: captions.csv (Text,Image/Video link 1 (shortcode)): caption from Text, matched to the videos whose names start with the shortcode\n');
    expect(result.stdout).toContain('skipped 1 caption with no video\n');
    expect(result.stdout).toContain('skipped 1 caption row with no shortcode or no caption\n');
    expect(result.stdout).toContain('1 video waits for another day (no free account under the cap)\n');
    // podclipcrafters posted DM6m1Econ4x-2 and quickcutspod DMbMMftoiDC-1 before (the posted ledger): each gets the other.
    expect((await readRows(ledger)).map((row) => [row['job_id'], row['account'], row['caption']])).toEqual([
      ['DM6m1Econ4x-2.mp4_podcast', 'quickcutspod', 'Test caption 1 🐻\n#podcast'],
      ['DMbMMftoiDC-1.mp4_podcast', 'podclipcrafters', 'Test caption 2'],
    ]);
  });
});

describe('the seed system\'s lock file', () => {
  it('the empty <ledger>.lock its tracker leaves beside the ledger blocks neither seed nor run, and is left as it was', async () => {
    const dir = await tempDir();
    const campaign = await copyCampaign('viral', dir);
    const ledger = join(campaign, 'progress.csv');
    writeFileSync(`${ledger}.lock`, '');
    const seeded = await daycap(['seed', '--ledger', ledger, '--campaign', campaign], { cwd: dir });
    expect(seeded.code, seeded.stderr).toBe(0);
    const run = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--no-tui', '--skip-invalid'], { cwd: dir });
    expect(run.code, run.stderr).not.toBe(3);
    expect(run.stderr).not.toMatch(/in use|locked|ENOTDIR/i);
    expect(statSync(`${ledger}.lock`).isFile()).toBe(true);
    expect(readFileSync(`${ledger}.lock`, 'utf8')).toBe('');
  });
});

describe('the seed system\'s older ledgers (only error_type recorded)', () => {
  it('status shows the failures by category and the frozen accounts; retry-failed leaves the account failures failed', async () => {
    const dir = await tempDir();
    const ledger = await copyFixture('seed-system/ledgers/progress-13col.csv', dir, 'progress.csv');
    const status = await daycap(['status', '--ledger', ledger], { cwd: dir });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/account\/suspended\s+1/);
    expect(status.stdout).toMatch(/infrastructure\/claude_stuck\s+1/);
    expect(status.stdout).toContain('mindsetmiccuts  account/suspended: Account has been suspended (job DK3REr1oC0r-1)');

    const retry = await daycap(['retry-failed', '--ledger', ledger], { cwd: dir });
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toContain('1 failed job put back to pending: DRVP8nGEUxg-1');
    const rows = await readRows(ledger);
    expect(rows.find((row) => row['job_id'] === 'DK3REr1oC0r-1')).toMatchObject({ status: 'failed', error_type: 'suspended', error_category: 'account' });
  });
});

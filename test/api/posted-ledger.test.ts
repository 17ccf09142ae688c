import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRun } from '../../src/api/run.js';
import { readLedgerView } from '../../src/ledger/store.js';
import { fixture, tempDir } from '../helpers/files.js';

describe('the posted ledger', () => {
  it('is honoured when seeding and appended to for every post of a run', async () => {
    const dir = tempDir();
    const campaign = join(dir, 'spring');
    cpSync(fixture('campaigns/spring'), campaign, { recursive: true });
    const accounts = readFileSync(join(campaign, 'accounts.txt'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const posted = join(dir, 'posted.txt');
    const before = `${accounts[0]}|already.mp4|2026-11-01T10:00:00Z\n`;
    writeFileSync(posted, before);
    const ledger = join(dir, 'progress.csv');
    const { runner } = await openRun({ ledger, source: { campaign }, postedLedger: posted, handler: { kind: 'simulate', seed: 1 }, workers: 2 });
    const { summary } = await runner.run();
    expect(summary.counts.success).toBeGreaterThan(0);
    const lines = readFileSync(posted, "utf8");
    expect(lines.startsWith(before)).toBe(true);
    const added = lines.slice(before.length).trim().split('\n');
    expect(added).toHaveLength(summary.counts.success);
    const rows = (await readLedgerView(ledger)).jobs.filter((j) => j.status === 'success');
    for (const row of rows) expect(added.some((line) => line.startsWith(`${row.account}|${row.video_path.split('/').pop()}|`))).toBe(true);
  });
});

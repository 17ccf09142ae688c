import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newJob } from '../../src/core/job.js';
import { parseLedger, serializeLedger } from '../../src/ledger/codec.js';
import { Runner } from '../../src/runner/runner.js';
import type { RunEvents } from '../../src/runner/events.js';
import { tempDir } from '../helpers/files.js';
import { writeLedger } from '../helpers/ledgers.js';

describe('an outside edit during a run (G7)', () => {
  it('merges legal changes, refuses a conflicting one, keeps the operator file aside, and runs what was revived', async () => {
    const dir = tempDir();
    const ledger = writeLedger(dir, [
      newJob({ job_id: 'j1', account: 'a1', caption: 'first' }),
      newJob({ job_id: 'j2', account: 'a2', status: 'failed', attempts: 3, error: 'adb timeout', error_category: 'infrastructure', error_type: 'adb_timeout' }),
      newJob({ job_id: 'j3', account: 'a3' }),
    ]);
    // One slow worker: j1 is claimed and in flight while the operator edits the file.
    const runner = await Runner.open({ ledger, handler: { kind: 'simulate', seed: 7, options: { meanLatencyMs: 400 } }, workers: 1, watchSettleMs: 50, watchPollMs: 200 });
    const edits: RunEvents['external-edit'][] = [];
    runner.events.on('external-edit', (event) => edits.push(event));
    runner.events.on('job-claimed', ({ job }) => {
      if (job.job_id !== 'j1') return;
      const rows = parseLedger(readFileSync(ledger), ledger).jobs;
      rows[0]!.caption = 'first, fixed'; // j1 was claimed since daycap wrote the file: a conflict
      rows[1]!.status = 'pending'; // failed → pending: legal
      rows[2]!.status = 'skipped'; // pending → skipped: legal
      rows.push(newJob({ job_id: 'j4', account: 'a4', caption: 'added by hand' }));
      // Saved the way vim does: a new file renamed over the old one, with a BOM and CRLF like a spreadsheet.
      const temp = join(dir, '.progress.csv.swp');
      writeFileSync(temp, '\uFEFF' + serializeLedger(rows).replaceAll('\n', '\r\n'));
      renameSync(temp, ledger);
    });
    const { summary } = await runner.run();
    expect(edits).toHaveLength(1);
    expect(edits[0]).toMatchObject({ merged: 3, refused: 1 });
    expect(edits[0]!.message).toMatch(/conflict/);
    expect(edits[0]!.keptAs && existsSync(edits[0]!.keptAs)).toBe(true);
    expect(readFileSync(edits[0]!.keptAs!, 'utf8')).toContain('first, fixed');
    const rows = new Map(parseLedger(readFileSync(ledger), ledger).jobs.map((row) => [row.job_id, row]));
    expect(rows.get('j1')).toMatchObject({ status: 'success', caption: 'first' });
    expect(rows.get('j2')).toMatchObject({ status: 'success' });
    expect(rows.get('j3')).toMatchObject({ status: 'skipped' });
    expect(rows.get('j4')).toMatchObject({ status: 'success', caption: 'added by hand' });
    expect(summary.counts).toMatchObject({ success: 3, skipped: 1 });
  });

  it('reports a malformed edit with its line, goes on from memory and keeps the file aside', async () => {
    const dir = tempDir();
    const ledger = writeLedger(dir, [newJob({ job_id: 'j1', account: 'a1' }), newJob({ job_id: 'j2', account: 'a2' })]);
    const runner = await Runner.open({ ledger, handler: { kind: 'simulate', seed: 7, options: { meanLatencyMs: 300 } }, workers: 1, watchSettleMs: 50, watchPollMs: 200 });
    const edits: RunEvents['external-edit'][] = [];
    runner.events.on('external-edit', (event) => edits.push(event));
    let edited = false;
    runner.events.on('job-claimed', () => {
      if (edited) return;
      edited = true;
      writeFileSync(ledger, readFileSync(ledger, 'utf8') + 'j3,a3,"unclosed quote\n');
    });
    const { summary } = await runner.run();
    expect(summary.counts.success).toBe(2);
    expect(edits).toHaveLength(1);
    expect(edits[0]!.message).toMatch(/line 4/);
    expect(readFileSync(edits[0]!.keptAs!, 'utf8')).toContain('unclosed quote');
    expect(parseLedger(readFileSync(ledger), ledger).jobs.map((j) => j.status)).toEqual(['success', 'success']);
  });
});

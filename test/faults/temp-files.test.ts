/**
 * Temp files left by a killed snapshot (`.<ledger>.<pid>.<hex>.tmp` beside the ledger, and the same
 * for owner.json in the state folder) are never read as the ledger, and the next mutating command
 * removes those whose writer is gone — and nothing else.
 */
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newJob } from '../../src/core/job.js';
import { serializeLedger } from '../../src/ledger/codec.js';
import { readLedgerView } from '../../src/ledger/store.js';
import { stateDir } from '../../src/ledger/paths.js';
import { EXIT } from '../../src/runner/exit-codes.js';
import { daycap, start } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { tempFiles, writeLedger } from '../helpers/ledgers.js';
import { deadPid } from '../helpers/locks.js';
import { readRecord, RECORDING, RECORDING_VERIFY } from '../helpers/recording.js';

describe('left-over temp files of a killed write', () => {
  it('are ignored by every reader and removed by the next run when their writer is gone', async () => {
    const dir = tempDir();
    const ledger = writeLedger(dir, gridJobs(5, 1, {}, { videosIn: dir }));
    const dead = deadPid();
    // What a killed snapshot can leave: a whole new ledger not yet renamed, a partial one, an empty one.
    const other = serializeLedger([newJob({ job_id: 'ghost', account: 'ghost', status: 'success' })]);
    const leftovers = {
      whole: join(dir, `.progress.csv.${dead}.a1b2c3d4e5f6.tmp`),
      partial: join(dir, `.progress.csv.${dead}.0123456789ab.tmp`),
      empty: join(dir, `.progress.csv.${dead}.ffffffffffff.tmp`),
      owner: join(stateDir(ledger), `.owner.json.${dead}.abcdefabcdef.tmp`),
    };
    writeFileSync(leftovers.whole, other);
    writeFileSync(leftovers.partial, other.slice(0, 40));
    writeFileSync(leftovers.empty, '');
    mkdirSync(stateDir(ledger), { recursive: true });
    writeFileSync(leftovers.owner, '{"pid":');
    // Not ours to touch: a temp file of a live writer (this test process) still fresh, and names that only look alike.
    const live = join(dir, `.progress.csv.${process.pid}.00aa00aa00aa.tmp`);
    const unrelated = ['.progress.csv.tmp', `.progress.csv.${dead}.nothex.tmp`, `.other.csv.${dead}.abcdef.tmp`, `progress.csv.${dead}.abcdef.tmp`, `.progress.csv.${dead}.abcdef.tmp.bak`];
    writeFileSync(live, other);
    for (const name of unrelated) writeFileSync(join(dir, name), 'x');

    // Readers see the ledger, never a temp file, and remove nothing.
    const validate = await daycap(['validate', '--ledger', ledger], { cwd: dir });
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toMatch(/is valid \(5 jobs\)/);
    const status = await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).counts).toMatchObject({ pending: 5, success: 0 });
    for (const path of Object.values(leftovers)) expect(existsSync(path)).toBe(true);

    const record = join(dir, 'record.jsonl');
    const run = await daycap(['run', '--ledger', ledger, '--handler', RECORDING, '--no-tui'], { cwd: dir, env: { DAYCAP_RECORD_FILE: record } });
    expect(run.code, run.stdout + run.stderr).toBe(EXIT.OK);
    expect(readRecord(record).map((call) => call.job_id).sort()).toEqual(['job-0-0', 'job-1-0', 'job-2-0', 'job-3-0', 'job-4-0']);
    const rows = (await readLedgerView(ledger)).jobs;
    expect(rows.map((row) => row.job_id)).not.toContain('ghost');
    for (const path of Object.values(leftovers)) expect(existsSync(path), path).toBe(false);
    expect(existsSync(live)).toBe(true);
    for (const name of unrelated) expect(existsSync(join(dir, name)), name).toBe(true);

    // A live pid's temp file over a minute old is left-over too (the pid was reused).
    const old = new Date(Date.now() - 5 * 60_000);
    utimesSync(live, old, old);
    const again = await daycap(['run', '--ledger', ledger, '--handler', RECORDING, '--no-tui'], { cwd: dir, env: { DAYCAP_RECORD_FILE: record } });
    expect(again.code).toBe(EXIT.OK);
    expect(existsSync(live)).toBe(false);
  });

  it('a real one, from a run killed mid-snapshot, is left alone by readers and cleaned up by the next run', async () => {
    const dir = tempDir();
    const ledger = writeLedger(dir, gridJobs(1500, 1, {}, { videosIn: dir }));
    const record = join(dir, 'record.jsonl');
    const env = { DAYCAP_RECORD_FILE: record, DAYCAP_DELAY_MAX_MS: '0' };
    // Kill the moment a snapshot's temp file appears; it may already be renamed by then, so try a few times.
    let left: string[] = [];
    for (let attempt = 0; attempt < 12 && left.length === 0; attempt++) {
      const run = start(['run', '--ledger', ledger, '--handler', RECORDING_VERIFY, '--workers', '8', '--no-tui'], { cwd: dir, env });
      const watcher = watch(dir, (_event, name) => {
        if (name && /^\.progress\.csv\.\d+\.[0-9a-f]+\.tmp$/.test(String(name))) run.child.kill('SIGKILL');
      });
      await run.done;
      watcher.close();
      left = tempFiles(ledger);
    }
    expect(left.length, 'no kill landed while a temp file existed').toBeGreaterThan(0);
    const sizes = left.map((name) => statSync(join(dir, name)).size);
    const validate = await daycap(['validate', '--ledger', ledger], { cwd: dir });
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toMatch(/is valid \(1500 jobs\)/);
    expect(tempFiles(ledger)).toEqual(left);
    expect(left.map((name) => statSync(join(dir, name)).size)).toEqual(sizes);
    const run = await daycap(['run', '--ledger', ledger, '--handler', RECORDING_VERIFY, '--workers', '8', '--no-tui'], { cwd: dir, env });
    expect(run.code, run.stdout + run.stderr).toBe(EXIT.OK);
    expect(tempFiles(ledger)).toEqual([]);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const calls = readRecord(record).filter((call) => call.ok);
    expect(new Set(calls.map((call) => call.job_id)).size).toBe(calls.length);
    expect((await readLedgerView(ledger)).jobs.every((row) => row.status === 'success')).toBe(true);
  });
});

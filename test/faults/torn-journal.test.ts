/**
 * A journal damaged at its end, end to end. After a `daycap run` killed with SIGKILL, the active
 * journal's last record is cut short (at many positions), zero-filled or overwritten with garbage:
 * the next run starts, applies every record but that one, keeps the damaged bytes aside under
 * .<ledger>.daycap/journals/ and says so. Damage in the middle of the journal (good records after a
 * bad one) is not a crash's doing: the run refuses to start, names the file and the line, exits 2,
 * and leaves every file as it was.
 */
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/core/job.js';
import { parseLedger } from '../../src/ledger/codec.js';
import { journalPath, sealedJournalsDir } from '../../src/ledger/paths.js';
import { LedgerStore } from '../../src/ledger/store.js';
import { EXIT } from '../../src/runner/exit-codes.js';
import { daycap, start, WAIT_FOR_FILE } from '../helpers/cli.js';
import { fileTree, tempDir, treeDiff } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { writeLedger } from '../helpers/ledgers.js';
import { rng } from '../helpers/random.js';
import { RECORDING } from '../helpers/recording.js';

/** A folder as a killed run left it: the CSV as it was, and an active journal of claims and outcomes. */
let template: string;
/** The journal's records, each with its line's bytes, as read here (not by daycap). */
let records: Array<{ bytes: Buffer; job: Job }>;

beforeAll(async () => {
  template = tempDir('daycap-torn-');
  const ledger = writeLedger(template, gridJobs(12, 1, {}, { videosIn: template }));
  const env = { DAYCAP_RECORD_FILE: join(template, 'record.jsonl'), DAYCAP_DELAY_MAX_MS: '30' };
  const run = start(['run', '--ledger', ledger, '--handler', RECORDING, '--workers', '3', '--no-tui'], { cwd: template, env });
  await run.waitFor(/(posted job[\s\S]*){4}/);
  run.child.kill('SIGKILL');
  await run.done;
  const bytes = readFileSync(journalPath(ledger));
  records = [];
  for (let at = 0; at < bytes.length;) {
    const end = bytes.indexOf(0x0a, at) + 1;
    const line = bytes.subarray(at, end);
    records.push({ bytes: line, job: (JSON.parse(line.subarray(9).toString('utf8')) as { job: Job }).job });
    at = end;
  }
  expect(records.length).toBeGreaterThanOrEqual(6);
});

/** A copy of the template with the journal replaced by `journal`. */
function copyWith(journal: Buffer): { dir: string; ledger: string } {
  const dir = tempDir('daycap-torn-case-');
  // Not the killed run's control socket (a socket cannot be copied; the next run replaces it anyway).
  cpSync(template, dir, { recursive: true, filter: (source) => !source.endsWith('control.sock') });
  const ledger = join(dir, 'progress.csv');
  writeFileSync(journalPath(ledger), journal);
  return { dir, ledger };
}

/** The rows the CSV must hold once the first `applied` records are folded in (an upsert by job_id). */
function expectedRows(applied: number): Map<string, Job> {
  const rows = new Map(parseLedger(readFileSync(join(template, 'progress.csv')), 'template').jobs.map((job) => [job.job_id, job]));
  for (const { job } of records.slice(0, applied)) rows.set(job.job_id, job);
  return rows;
}

function expectRows(csv: Buffer, applied: number): void {
  const got = parseLedger(csv, 'progress.csv').jobs;
  const want = expectedRows(applied);
  expect(got.map((job) => job.job_id).sort()).toEqual([...want.keys()].sort());
  for (const job of got) expect(job, job.job_id).toEqual(want.get(job.job_id));
}

const whole = () => Buffer.concat(records.map((r) => r.bytes));
const allButLast = () => Buffer.concat(records.slice(0, -1).map((r) => r.bytes));
const last = () => records.at(-1)!.bytes;

/**
 * Starts a run on the damaged copy (its posts wait for a release file, so the CSV that recovery
 * wrote can be read before anything else is), then lets it finish.
 */
async function runOn(journal: Buffer, applied: number, torn: Buffer | undefined): Promise<void> {
  const { dir, ledger } = copyWith(journal);
  const release = join(dir, 'release');
  const run = start(['run', '--ledger', ledger, '--handler', WAIT_FOR_FILE, '--workers', '1', '--no-tui'], { cwd: dir, env: { DAYCAP_TEST_RELEASE_FILE: release } });
  const out = await run.waitFor(/run \S+ started/);
  expectRows(readFileSync(ledger), applied);
  expect(out).toMatch(new RegExp(`${applied} journal records replayed`));
  const sealed = readdirSync(sealedJournalsDir(ledger));
  const kept = sealed.filter((name) => name.endsWith('-recovered.jsonl'));
  expect(kept).toHaveLength(1);
  // The damaged journal is kept whole, as it was; the torn bytes also on their own.
  expect(readFileSync(join(sealedJournalsDir(ledger), kept[0]!)).equals(journal)).toBe(true);
  const tornFiles = sealed.filter((name) => name.endsWith('.torn'));
  if (torn) {
    expect(tornFiles).toHaveLength(1);
    expect(readFileSync(join(sealedJournalsDir(ledger), tornFiles[0]!)).equals(torn)).toBe(true);
    expect(out).toMatch(new RegExp(`WARNING the journal of a run that died ended in a torn record \\(.*; ${torn.length} bytes at byte ${journal.length - torn.length}\\).*not applied; its bytes are kept in \\S*${tornFiles[0]!.replace(/[.]/g, '\\.')}`));
  } else {
    expect(tornFiles).toEqual([]);
    expect(out).not.toMatch(/torn record/);
  }
  writeFileSync(release, '');
  const result = await run.done;
  // Claims of the killed run stay unconfirmed (no verify): the day is not done, but nothing failed.
  expect(result.code, result.stdout + result.stderr).toBe(EXIT.JOBS_LEFT);
}

describe('a torn journal tail after a kill', () => {
  it('cut inside its last record, at a few positions: only that record is lost, and set aside', async () => {
    const record = last();
    const cuts = [...new Set([1, 8, 9, 10, Math.floor(record.length / 2), record.length - 2, record.length - 1])];
    for (const cut of cuts) {
      const journal = Buffer.concat([allButLast(), record.subarray(0, cut)]);
      await runOn(journal, records.length - 1, record.subarray(0, cut));
    }
  });

  it('cut just before its last record: nothing torn, that record is simply not there', async () => {
    await runOn(allButLast(), records.length - 1, undefined);
  });

  it('zero-filled, or followed by zeros (a crash after the size grew, before the data)', async () => {
    const zeros = Buffer.alloc(last().length);
    await runOn(Buffer.concat([allButLast(), zeros]), records.length - 1, zeros);
    const zeroedLine = Buffer.concat([Buffer.alloc(last().length - 1), Buffer.from('\n')]);
    await runOn(Buffer.concat([allButLast(), zeroedLine]), records.length - 1, zeroedLine);
    const tail = Buffer.alloc(4096);
    await runOn(Buffer.concat([whole(), tail]), records.length, tail);
  });

  it('overwritten with garbage, with or without a line end', async () => {
    const r = rng(7);
    const garbage = Buffer.from(Array.from({ length: last().length }, () => r.int(0, 255)).map((b) => (b === 0x0a ? 0x41 : b)));
    await runOn(Buffer.concat([allButLast(), garbage]), records.length - 1, garbage);
    const line = Buffer.concat([garbage.subarray(0, garbage.length - 1), Buffer.from('\n')]);
    await runOn(Buffer.concat([allButLast(), line]), records.length - 1, line);
    // A record with a good shape whose checksum does not match (one byte of its JSON changed).
    const flipped = Buffer.from(last());
    flipped[20] = flipped[20] === 0x61 ? 0x62 : 0x61;
    await runOn(Buffer.concat([allButLast(), flipped]), records.length - 1, flipped);
  });

  it('cut at every byte of its last record, through the same recovery in-process', async () => {
    const record = last();
    const before = allButLast();
    // `npm test` tries every 7th byte and both ends; `npm run test:faults` every byte.
    const step = process.env['DAYCAP_FAULTS_FULL'] ? 1 : 7;
    const cuts = [...new Set([...Array.from({ length: Math.ceil((record.length + 1) / step) }, (_, i) => i * step), record.length - 1, record.length])];
    for (const cut of cuts) {
      const journal = Buffer.concat([before, record.subarray(0, cut)]);
      const { ledger } = copyWith(journal);
      const store = await LedgerStore.open(ledger, { command: 'test' });
      const whole = cut === record.length;
      expect(store.recovered?.records, `cut at ${cut}`).toBe(whole ? records.length : records.length - 1);
      if (cut === 0 || whole) expect(store.recovered?.tornTail, `cut at ${cut}`).toBeUndefined();
      else {
        expect(store.recovered?.tornTail, `cut at ${cut}`).toMatchObject({ offset: before.length, length: cut });
        expect(readFileSync(store.recovered!.tornKeptAs!).equals(record.subarray(0, cut))).toBe(true);
      }
      expectRows(readFileSync(ledger), whole ? records.length : records.length - 1);
      await store.close(store.jobs, 'test');
    }
  });
});

describe('a torn journal tail found by a command other than run', () => {
  for (const args of [['retry-failed'], ['release-stale'], ['unfreeze', '--account', 'acct0'], ['reset-day']]) {
    it(`${args[0]} says so too, and keeps the torn bytes aside`, async () => {
      const { dir, ledger } = copyWith(Buffer.concat([allButLast(), last().subarray(0, 20)]));
      const result = await daycap([args[0]!, '--ledger', ledger, ...args.slice(1)], { cwd: dir });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout + result.stderr).toMatch(/warning: the journal of a run that died ended in a torn record \(.*; 20 bytes at byte \d+\).*not applied; its bytes are kept in \S+\.torn/);
    });
  }
});

describe('a journal damaged in the middle', () => {
  it('is refused with the file and line, exit 2, every file left as it was', async () => {
    for (const [name, damage] of [
      ['a changed byte', (line: Buffer) => Buffer.from(line.toString('latin1').replace('"job"', '"jab"'), 'latin1')],
      ['zeros', (line: Buffer) => Buffer.concat([Buffer.alloc(line.length - 1), Buffer.from('\n')])],
      ['garbage', () => Buffer.from('not a journal record at all\n')],
    ] as const) {
      const bad = 2; // the third record (line 3) of at least six
      const journal = Buffer.concat(records.map((r, i) => (i === bad ? damage(r.bytes) : r.bytes)));
      const { dir, ledger } = copyWith(journal);
      const before = fileTree(dir);
      const result = await daycap(['run', '--ledger', ledger, '--handler', RECORDING, '--no-tui'], { cwd: dir, env: { DAYCAP_RECORD_FILE: join(dir, 'record.jsonl') } });
      expect(result.code, `${name}: ${result.stdout}${result.stderr}`).toBe(EXIT.INPUT);
      expect(result.stderr).toContain(`${journalPath(ledger)}:${bad + 1}`);
      expect(result.stderr).toMatch(new RegExp(`journal record on line ${bad + 1} is damaged .* but good records follow it`));
      expect(result.stdout).not.toMatch(/claimed job/);
      expect(treeDiff(before, fileTree(dir))).toEqual([]);
      // validate says the same, and also writes nothing.
      const validate = await daycap(['validate', '--ledger', ledger], { cwd: dir });
      expect(validate.code).toBe(EXIT.INPUT);
      expect(validate.stderr).toContain(`${journalPath(ledger)}:${bad + 1}`);
      expect(treeDiff(before, fileTree(dir))).toEqual([]);
    }
  });
});

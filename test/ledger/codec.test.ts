import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { LEDGER_COLUMNS, newJob, type Job } from '../../src/core/job.js';
import { InputError } from '../../src/errors.js';
import { parseLedger, serializeLedger } from '../../src/ledger/codec.js';
import { readLedgerFile } from '../../src/ledger/store.js';
import { fixture, tempDir } from '../helpers/files.js';
import { gridJobs, jobsArbitrary } from '../helpers/jobs.js';
import { HEADER, SEED_HEADER } from '../helpers/ledgers.js';

const ledgerFixture = (name: string): string => fixture(`ledgers/${name}`);

describe('serializeLedger / parseLedger round trip', () => {
  it('gives back exactly the jobs written, whatever the text in them', () => {
    fc.assert(fc.property(jobsArbitrary(), (jobs) => {
      expect(parseLedger(serializeLedger(jobs), 'x.csv').jobs).toEqual(jobs);
    }), { numRuns: 300 });
  });

  it('keeps extra columns, through a Buffer too', () => {
    const extras = ['notes', 'toString', 'hasOwnProperty'];
    fc.assert(fc.property(jobsArbitrary(extras), (jobs) => {
      const parsed = parseLedger(Buffer.from(serializeLedger(jobs, extras)), 'x.csv');
      expect(parsed.jobs).toEqual(jobs);
      expect(parsed.extraColumns).toEqual(extras);
    }), { numRuns: 100 });
  });

  it('writes the 17 columns, LF line ends, quotes only where needed, raw formulas', () => {
    const jobs = [newJob({ job_id: 'a', caption: 'plain' }), newJob({ job_id: 'b', caption: '=1+1', error: 'x,"y"', account: ' pad', video_path: 'line\r\nbreak' })];
    const text = serializeLedger(jobs);
    expect(text).toBe(
      `${HEADER}\n` +
      'a,,,plain,pending,,,,,0,3,,,,0,,\n' +
      'b," pad","line\r\nbreak",=1+1,pending,,,,"x,""y""",0,3,,,,0,,\n',
    );
  });

  it('writes the header alone for no jobs, which reads back as no jobs', () => {
    expect(serializeLedger([])).toBe(`${HEADER}\n`);
    expect(parseLedger(serializeLedger([]), 'x.csv')).toEqual({ jobs: [], header: [...LEDGER_COLUMNS], extraColumns: [] });
  });
});

describe('reading what other tools wrote', () => {
  it('reads the seed system\'s 9-column file (CRLF, multi-line captions, emoji) with defaults', async () => {
    const parsed = parseLedger(await readFile(ledgerFixture('seed-9col.csv')), 'seed-9col.csv');
    expect(parsed.jobs).toHaveLength(4);
    expect(parsed.extraColumns).toEqual([]);
    expect(parsed.jobs[0]).toEqual(newJob({
      job_id: 'DMNmeE-oIXY-1', account: 'quickcutspod', video_path: 'chunk_01c/2bears/DMNmeE-oIXY-1.mp4',
      caption: 'Two bears 🐻🐻 at the river\nwait for it… #bears #fyp', status: 'success', worker_id: '1',
      claimed_at: '2025-12-14T03:12:45.123456', completed_at: '2025-12-14T03:14:02.004321',
    }));
    expect(parsed.jobs[1]!.error).toBe('Post returned False: could not find "Share" button, retry later');
    expect(parsed.jobs[2]!.caption).toBe('=SUM(A1:A9) is not a formula here');
    expect(parsed.jobs[3]!.caption).toBe(' leading and trailing space ');
    expect(parsed.jobs.every((j) => j.attempts === 0 && j.max_attempts === 3 && j.pass_number === 0 && j.run_id === '')).toBe(true);
  });

  it('reads the seed system\'s 17-column file', async () => {
    const parsed = parseLedger(await readFile(ledgerFixture('seed-17col.csv')), 'seed-17col.csv');
    expect(parsed.jobs.map((j) => [j.attempts, j.max_attempts, j.pass_number, j.error_type])).toEqual([
      [1, 3, 1, ''], [3, 3, 2, 'claude_stuck'], [0, 3, 0, ''], [1, 5, 1, 'adb_timeout'],
    ]);
    expect(parsed.jobs[3]!.retry_at).toBe('2025-12-14T03:20:00Z');
  });

  it('reads a spreadsheet export: BOM, CRLF, columns in another order, an extra column, CRLF kept inside cells', async () => {
    const parsed = parseLedger(await readFile(ledgerFixture('spreadsheet-bom-crlf.csv')), 'sheet.csv');
    expect(parsed.header[0]).toBe('status');
    expect(parsed.extraColumns).toEqual(['notes']);
    expect(parsed.jobs[0]!.caption).toBe('Two bears 🐻🐻 at the river\r\nwait for it… #bears #fyp');
    expect(parsed.jobs.map((j) => j.extra)).toEqual([{ notes: 'checked' }, { notes: 'line one\r\nline two' }, { notes: '' }, { notes: ' ' }]);
    expect(parsed.jobs.map((j) => j.status)).toEqual(['success', 'failed', 'pending', 'claimed']);
  });

  it('reads a fixture, writes it, and reads the same jobs back', async () => {
    for (const name of ['seed-9col.csv', 'seed-17col.csv', 'spreadsheet-bom-crlf.csv']) {
      const parsed = parseLedger(await readFile(ledgerFixture(name)), name);
      expect(parseLedger(serializeLedger(parsed.jobs, parsed.extraColumns), name).jobs).toEqual(parsed.jobs);
    }
  });

  it('accepts blank lines and a missing final line end', () => {
    const text = `\r\n${SEED_HEADER}\r\n\r\na,,,,pending,,,,\n\nb,,,,success,,,,`;
    expect(parseLedger(text, 'x.csv').jobs.map((j) => j.job_id)).toEqual(['a', 'b']);
  });

  it('treats 0 bytes and a header alone as no jobs (validation decides about those)', () => {
    expect(parseLedger(Buffer.alloc(0), 'x.csv')).toEqual({ jobs: [], header: [], extraColumns: [] });
    expect(parseLedger(`\uFEFF${SEED_HEADER}\r\n`, 'x.csv').jobs).toEqual([]);
  });
});

interface Bad {
  name: string;
  text: string | Buffer;
  line: number;
  column: string | number;
  says: RegExp;
}

const row9 = (id: string, status = 'pending', rest = ',,,'): string => `${id},acct,v.mp4,cap,${status}${rest},`;
const BAD: Bad[] = [
  { name: 'invalid UTF-8', text: Buffer.concat([Buffer.from(`${SEED_HEADER}\n${row9('a')}\nb,acct,v.mp4,caf`), Buffer.from([0xe9]), Buffer.from(',pending,,,,\n')]), line: 3, column: 17, says: /invalid UTF-8/ },
  { name: 'unclosed quote', text: `${SEED_HEADER}\n${row9('a')}\nb,acct,v.mp4,"never closed,pending,,,,\n${row9('c')}\n`, line: 3, column: 'caption', says: /never closed/ },
  { name: 'quote inside an unquoted field', text: `${SEED_HEADER}\r\n${row9('a')}\r\nb,acct,v.mp4,say "hi",pending,,,,\r\n`, line: 3, column: 'caption', says: /quote appears inside an unquoted field/ },
  { name: 'text after a closing quote', text: `${SEED_HEADER}\n"a"x,acct,v.mp4,cap,pending,,,,\n`, line: 2, column: 'job_id', says: /closing quote/ },
  { name: 'too few fields (unquoted comma lost)', text: `${SEED_HEADER}\n${row9('a')}\n"multi\r\nline",acct\n`, line: 3, column: 'video_path', says: /has 2 fields but the header has 9/ },
  { name: 'too many fields (unquoted comma in a caption)', text: `${SEED_HEADER}\nb,acct,v.mp4,hello, world,pending,,,,\n`, line: 2, column: 10, says: /has 10 fields but the header has 9/ },
  { name: 'duplicate job_id', text: `${SEED_HEADER}\n${row9('a')}\n"x\ny",acct,v,"multi\r\nline",pending,,,,\n${row9('a')}\n`, line: 6, column: 'job_id', says: /"a" on line 6 is already used on line 2/ },
  { name: 'unknown status', text: `${SEED_HEADER}\n${row9('a', 'done')}\n`, line: 2, column: 'status', says: /status "done" of job a is not one of pending, claimed, success, retrying, failed, skipped, unconfirmed/ },
  { name: 'missing required columns', text: 'job_id,account,caption,status\na,b,c,pending\n', line: 1, column: 'video_path', says: /lacks required columns video_path, worker_id, claimed_at, completed_at, error/ },
  { name: 'garbage instead of a header', text: 'hello world\nthis is not a ledger\n', line: 1, column: 'job_id', says: /not a ledger header/ },
  { name: 'empty header cell', text: `${SEED_HEADER},\n${row9('a')},x\n`, line: 1, column: 10, says: /column 10 has no name/ },
  { name: 'duplicated header cell', text: `${SEED_HEADER},account\n${row9('a')},x\n`, line: 1, column: 10, says: /columns 2 and 10 are both named "account"/ },
  { name: '__proto__ header', text: `${SEED_HEADER},__proto__\n${row9('a')},x\n`, line: 1, column: 10, says: /"__proto__"/ },
  { name: 'constructor header', text: `${SEED_HEADER},constructor\n${row9('a')},x\n`, line: 1, column: 10, says: /"constructor"/ },
  { name: 'prototype header', text: `\uFEFFprototype,${SEED_HEADER}\r\nx,${row9('a')}\r\n`, line: 1, column: 1, says: /"prototype"/ },
  { name: 'negative attempts', text: `${HEADER}\na,,,,pending,,,,,-1,3,,,,0,,\n`, line: 2, column: 'attempts', says: /attempts of job a is "-1", not a whole number/ },
  { name: 'fractional max_attempts', text: `${HEADER}\na,,,,pending,,,,,0,2.5,,,,0,,\n`, line: 2, column: 'max_attempts', says: /max_attempts.*"2.5"/ },
  { name: 'text in pass_number', text: `${HEADER}\na,,,,pending,,,,,0,3,,,,two,,\n`, line: 2, column: 'pass_number', says: /pass_number.*"two"/ },
  { name: 'bad claimed_at', text: `${SEED_HEADER}\na,,,,claimed,1,yesterday,,\n`, line: 2, column: 'claimed_at', says: /claimed_at of job a is "yesterday", not a time/ },
  { name: 'bad completed_at', text: `${SEED_HEADER}\na,,,,success,1,,2025-13-45T99:00:00,\n`, line: 2, column: 'completed_at', says: /completed_at/ },
  { name: 'bad retry_at', text: `${HEADER}\na,,,,retrying,,,,,1,3,soon,,,0,,\n`, line: 2, column: 'retry_at', says: /retry_at.*"soon"/ },
  { name: 'empty job_id', text: `${SEED_HEADER}\r\n${row9('a')}\r\n,acct,v,cap,pending,,,,\r\n`, line: 3, column: 'job_id', says: /job_id is empty/ },
];

describe('malformed ledgers', () => {
  for (const bad of BAD) {
    it(`${bad.name}: InputError with file, line and column; the file is left byte-identical`, async () => {
      const dir = tempDir();
      const file = join(dir, 'progress.csv');
      await writeFile(file, bad.text);
      const before = await readFile(file);
      const error = await readLedgerFile(file).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      const input = error as InputError;
      expect(input.code).toBe('LEDGER_PARSE');
      expect(input.position).toEqual({ file, line: bad.line, column: bad.column });
      expect(input.message).toMatch(bad.says);
      expect(input.message.startsWith(`${file}:${bad.line}`)).toBe(true);
      expect(input.hint).toBeTruthy();
      expect(await readFile(file)).toEqual(before);
    });
  }

  it('never lets a header name reach Object.prototype', () => {
    expect(() => parseLedger(`${SEED_HEADER},__proto__\n${row9('a')},{"polluted":1}\n`, 'x.csv')).toThrow(InputError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('takes numbers only as plain whole numbers, empty meaning the default', () => {
    const jobs = parseLedger(`${HEADER}\na,,,,pending,,,,,,,,,,,,\nb,,,,pending,,,,,007,10,,,,2,,\n`, 'x.csv').jobs;
    expect(jobs.map((j: Job) => [j.attempts, j.max_attempts, j.pass_number])).toEqual([[0, 3, 0], [7, 10, 2]]);
  });
});

describe('size', () => {
  it('parses and writes 100,000 rows', () => {
    const jobs = gridJobs(100_000, 1, { caption: 'multi\r\n"line", 🐻', claimed_at: '2026-11-29T22:01:03.123Z' });
    const parsed = parseLedger(Buffer.from(serializeLedger(jobs)), 'big.csv');
    expect(parsed.jobs).toHaveLength(100_000);
    expect(parsed.jobs[99_999]).toEqual(jobs[99_999]);
  });
});

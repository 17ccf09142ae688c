import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { LEDGER_COLUMNS, newJob } from '../../src/core/job.js';
import { InputError, LedgerInvalidError } from '../../src/errors.js';
import { serializeLedger } from '../../src/ledger/codec.js';
import { encodeRecord } from '../../src/ledger/journalRecord.js';
import { journalPath, stateDir } from '../../src/ledger/paths.js';
import { validateLedger } from '../../src/ledger/validate.js';
import { listDir, tempDir } from '../helpers/files.js';

async function check(content: string | Buffer): Promise<{ ledger: string; result: Awaited<ReturnType<typeof validateLedger>>; before: Buffer; after: Buffer; dir: string[] }> {
  const dir = tempDir();
  const ledger = join(dir, 'progress.csv');
  await writeFile(ledger, content);
  const before = await readFile(ledger);
  const result = await validateLedger(ledger);
  return { ledger, result, before, after: await readFile(ledger), dir: await listDir(dir) };
}

describe('validateLedger (never writes, never deletes)', () => {
  it('a missing ledger is fine', async () => {
    const ledger = join(tempDir(), 'progress.csv');
    expect(await validateLedger(ledger)).toEqual({ ok: true, exists: false, jobs: [] });
  });

  it('a 0-byte ledger is invalid, and left as it is', async () => {
    const { ledger, result, before, after, dir } = await check('');
    expect(result.ok).toBe(false);
    const error = (result as { error: LedgerInvalidError }).error;
    expect(error).toBeInstanceOf(LedgerInvalidError);
    expect(error.message).toBe(`VALIDATION FAILED: ledger ${ledger} is empty (0 bytes). This may indicate a crash during write.`);
    expect(error.hint).toContain('ACTION REQUIRED');
    expect(after).toEqual(before);
    expect(dir).toEqual(['progress.csv']);
  });

  it('a header-only ledger is invalid, and left as it is', async () => {
    const { result, before, after, dir } = await check(`\uFEFF${LEDGER_COLUMNS.join(',')}\r\n`);
    expect(result.ok).toBe(false);
    expect((result as { error: Error }).error.message).toContain('is empty (header only)');
    expect(after).toEqual(before);
    expect(dir).toEqual(['progress.csv']);
  });

  it('garbage is invalid, with the parse position inside the message, and left as it is', async () => {
    const garbage = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
    for (const content of ['this is not,a ledger\n"at all', garbage]) {
      const { ledger, result, before, after, dir } = await check(content);
      expect(result.ok).toBe(false);
      const error = (result as { error: LedgerInvalidError }).error;
      expect(error).toBeInstanceOf(LedgerInvalidError);
      expect(error.message).toMatch(new RegExp(`^VALIDATION FAILED: ledger ${ledger} appears corrupt: ${ledger}:1`));
      expect(error.hint).toContain('ACTION REQUIRED');
      expect(error.cause).toBeInstanceOf(InputError);
      expect(after).toEqual(before);
      expect(dir).toEqual(['progress.csv']);
    }
  });

  it('a good ledger is valid, seen through the active journal', async () => {
    const dir = tempDir();
    const ledger = join(dir, 'progress.csv');
    await writeFile(ledger, serializeLedger([newJob({ job_id: 'a' })]));
    await mkdir(stateDir(ledger));
    await writeFile(journalPath(ledger), encodeRecord(1, newJob({ job_id: 'a', status: 'success' })));
    expect(await validateLedger(ledger)).toEqual({ ok: true, exists: true, jobs: [newJob({ job_id: 'a', status: 'success' })] });
  });

  it('a journal damaged in the middle is reported as such, and left as it is', async () => {
    const dir = tempDir();
    const ledger = join(dir, 'progress.csv');
    await writeFile(ledger, serializeLedger([newJob({ job_id: 'a' })]));
    await mkdir(stateDir(ledger));
    const journal = `${encodeRecord(1, newJob({ job_id: 'a' })).replace('"a"', '"b"')}${encodeRecord(2, newJob({ job_id: 'a' }))}`;
    await writeFile(journalPath(ledger), journal);
    const result = await validateLedger(ledger);
    expect(result).toMatchObject({ ok: false, error: { code: 'JOURNAL_DAMAGED' } });
    expect(await readFile(journalPath(ledger), 'utf8')).toBe(journal);
  });
});

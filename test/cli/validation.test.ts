// `daycap validate` on a good ledger. Invalid ledgers, for every command that reads one, are the
// bad-input corpus (test/faults/bad-input.test.ts): refused, named, never deleted or rewritten.
import { describe, expect, it } from 'vitest';
import { daycap } from '../helpers/cli.js';
import { bytes, copyFixture, listTree, tempDir } from '../helpers/files.js';

describe('daycap validate on a good ledger', () => {
  it('says it is valid with the job count, exits 0, and writes nothing at all', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/account-at-cap.csv', dir, 'progress.csv');
    const original = await bytes(ledger);
    const before = listTree(dir);
    const result = await daycap(['validate', '--ledger', ledger], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`ledger ${ledger} is valid (3 jobs)`);
    expect(await bytes(ledger)).toEqual(original);
    expect(listTree(dir)).toEqual(before);
  });
});

import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAccountsFile } from '../../src/inputs/index.js';
import { fixture, tempDir, writeTree } from '../helpers/files.js';
import { inputError } from './helpers.js';

function accountsFile(content: string | Uint8Array): string {
  return join(writeTree(tempDir(), { 'accounts.txt': content }), 'accounts.txt');
}

describe('readAccountsFile', () => {
  it('reads the fixture: comments, trailing comments and blank lines skipped', async () => {
    expect(await readAccountsFile(fixture('accounts/accounts.txt'))).toEqual(['quickcutspod', 'dailybearclips', 'citywalks.daily', 'cozy_corner_42', 'snackreel_jp']);
  });

  it('trims, accepts CRLF and a BOM, keeps a repeated name once, in first-seen order', async () => {
    const path = accountsFile('\ufeff  alpha \r\n\tbeta\t# tab before the comment\r\n\r\n# gamma\r\nalpha\r\ndelta\r\n');
    expect(await readAccountsFile(path)).toEqual(['alpha', 'beta', 'delta']);
  });

  it('reads a last line without a newline', async () => {
    expect(await readAccountsFile(accountsFile('a\nb'))).toEqual(['a', 'b']);
  });

  describe('errors (the file is left byte-identical)', () => {
    it.each([
      ['an inner space', 'ok\n  bad name\n', 2, 6, 'account name "bad name" contains a space'],
      ['a tab', 'ok\nbad\tname\n', 2, 4, 'account name "bad\\tname" contains a tab'],
      ['a no-break space', 'bad\u00a0name\n', 1, 4, 'account name "bad\u00a0name" contains whitespace (U+00A0)'],
      ['a comma', 'a,b\n', 1, 2, `account name "a,b" contains ','`],
      ['a pipe', 'x\ny\na|b\n', 3, 2, `account name "a|b" contains '|'`],
      ['a control character', 'bell\u0007\n', 1, 5, 'account name "bell\\u0007" contains a control character (U+0007)'],
      ['a lone CR inside a line', 'a\rb\n', 1, 2, 'account name "a\\rb" contains a control character (U+000D)'],
      ['a # glued to a name', 'name#tag\n', 1, 5, `account name "name#tag" contains '#'`],
    ])('%s names the file, line and column', async (_what, content, line, column, problem) => {
      const path = accountsFile(content);
      const error = await inputError(() => readAccountsFile(path), 'ACCOUNTS_INVALID', path);
      expect(error.position).toEqual({ file: path, line, column });
      expect(error.message).toBe(`${path}:${line}:${column}: ${problem}`);
    });

    it('the bad-name fixture', async () => {
      const path = join(tempDir(), 'bad-name.txt');
      copyFileSync(fixture('bad/accounts/bad-name.txt'), path);
      const error = await inputError(() => readAccountsFile(path), 'ACCOUNTS_INVALID', path);
      expect(error.message).toBe(`${path}:3:6: account name "daily bearclips" contains a space`);
    });

    it.each([
      ['the empty fixture (comments and blank lines only)', null],
      ['a zero-byte file', ''],
      ['a BOM and CRLFs only', '\ufeff\r\n\r\n'],
    ])('%s has no accounts', async (_what, content) => {
      const path = join(tempDir(), 'accounts.txt');
      if (content === null) copyFileSync(fixture('bad/accounts/empty.txt'), path);
      else writeTree(join(path, '..'), { 'accounts.txt': content });
      const error = await inputError(() => readAccountsFile(path), 'ACCOUNTS_INVALID', path);
      expect(error.message).toBe(`${path}: no accounts (the file holds only blank lines and comments)`);
    });

    it('a file that is not UTF-8', async () => {
      const path = accountsFile(Buffer.from([0x61, 0x0a, 0xe9, 0x0a]));
      const error = await inputError(() => readAccountsFile(path), 'ACCOUNTS_INVALID', path);
      expect(error.message).toBe(`${path}:2:1: is not UTF-8 text (byte 0xe9)`);
    });

    it('a missing file is INPUT_MISSING with a hint', async () => {
      const path = join(tempDir(), 'accounts.txt');
      const error = await inputError(() => readAccountsFile(path), 'INPUT_MISSING');
      expect(error.message).toBe(`${path}: accounts file not found`);
      expect(error.hint).toMatch(/one account name a line/);
    });
  });
});

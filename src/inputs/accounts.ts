/** The accounts file: one account name a line, `#` comments (docs/ledger.md#accounts-file). */
import { InputError } from '../errors.js';
import { accountNameProblem } from './names.js';
import { readInputText, splitLines, type InputKind } from './read.js';

const ACCOUNTS: InputKind = {
  what: 'accounts file',
  code: 'ACCOUNTS_INVALID',
  hint: 'Give the path of a text file with one account name a line (lines starting with # are comments).',
};

/** A `#` glued to a name is kept in the name (and refused there) rather than silently cutting the name short. */
const COMMENT = /(^|\s)#/u;

export async function readAccountsFile(path: string): Promise<string[]> {
  const lines = splitLines(await readInputText(path, ACCOUNTS));
  const names = new Set<string>();
  lines.forEach((raw, i) => {
    const comment = COMMENT.exec(raw);
    const content = comment ? raw.slice(0, comment.index) : raw;
    const name = content.trim();
    if (name === '') return;
    const bad = accountNameProblem(name);
    if (bad) {
      const column = content.length - content.trimStart().length + bad.index + 1;
      throw new InputError(ACCOUNTS.code, { file: path, line: i + 1, column }, bad.problem, {
        hint: 'Put one account name on each line; names cannot hold spaces, commas, | or #. The file has not been changed.',
      });
    }
    names.add(name);
  });
  if (names.size === 0) {
    throw new InputError(ACCOUNTS.code, { file: path }, 'no accounts (the file holds only blank lines and comments)', {
      hint: 'Add one account name a line.',
    });
  }
  return [...names];
}

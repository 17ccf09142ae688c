/** What an account name may contain, shared by every input that lists accounts. */

/**
 * '|' separates fields in the posted ledger and ',' in hand-edited lists; whitespace and control
 * characters are almost always a paste accident, and '#' starts a comment in accounts files.
 */
const FORBIDDEN = /[\p{Cc}\s,|#]/u;

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

function describeChar(char: string): string {
  if (char === ' ') return 'a space';
  if (char === '\t') return 'a tab';
  if (/\s/u.test(char) && !/\p{Cc}/u.test(char)) return `whitespace (${codePoint(char)})`;
  if (/\p{Cc}/u.test(char)) return `a control character (${codePoint(char)})`;
  return `'${char}'`;
}

/** Why `name` cannot be an account name, and where (0-based UTF-16 index); undefined when it is fine. */
export function accountNameProblem(name: string): { problem: string; index: number } | undefined {
  if (name === '') return { problem: 'account name is empty', index: 0 };
  const match = FORBIDDEN.exec(name);
  if (!match) return undefined;
  return { problem: `account name ${JSON.stringify(name)} contains ${describeChar(match[0])}`, index: match.index };
}

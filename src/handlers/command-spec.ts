import { HandlerUnusableError } from './errors.js';

/**
 * Splits `command:<program> [args…]` as typed after --handler. Quotes group words ('…' is literal,
 * "…" honours \" and \\), a backslash outside quotes escapes the next character. Nothing is
 * expanded: no variables, globs or substitutions.
 */
export function parseCommandSpec(text: string): string[] {
  const body = text.startsWith('command:') ? text.slice('command:'.length) : text;
  const argv: string[] = [];
  let current = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else current += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && (body[i + 1] === '"' || body[i + 1] === '\\')) current += body[++i];
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < body.length) {
      current += body[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) argv.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) throw new HandlerUnusableError(`command handler: unterminated ${quote} quote in ${JSON.stringify(text)}`);
  if (inWord) argv.push(current);
  if (argv.length === 0 || argv[0] === '') {
    throw new HandlerUnusableError(`command handler: no program given in ${JSON.stringify(text)} (write command:<program> [args…])`);
  }
  return argv;
}

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

/**
 * Replaces each argument that is exactly `{name}` by `values[name]`. Only whole arguments:
 * `--caption={caption}` is left as it is, because partial substitution invites quoting bugs (such
 * programs read the environment instead). Unknown names are left as they are.
 */
export function expandArgs(args: readonly string[], values: object): string[] {
  return args.map((arg) => {
    const name = /^\{(\w+)\}$/.exec(arg)?.[1];
    if (name === undefined || !Object.hasOwn(values, name)) return arg;
    return String((values as Record<string, unknown>)[name]);
  });
}

/** Reads `command:<program> [args…]` given to an option that takes only a command (`--verify`, `--notify`). */
export function parseCommandOption(text: string, option: string): string[] {
  const value = text.trim();
  if (!value.startsWith('command:')) {
    throw new HandlerUnusableError(`${option} ${JSON.stringify(text)}: write 'command:<program> [args…]' (quoted as one word)`);
  }
  return parseCommandSpec(value);
}

/** JSON.parse with the failure placed at a line and column, so an operator can open the file there. */
import { InputError } from '../errors.js';
import { lineColumnAt } from './read.js';

/** V8 quotes this many characters either side of an unexpected token instead of giving its position. */
const CONTEXT = 10;

/**
 * Where JSON.parse stopped, read back from its message. V8 gives "at position N" for most errors, but for
 * an unexpected token it quotes the source around it instead (whole when short, else 10 characters either
 * side), so the offset is recovered from that quote. undefined when the message has neither.
 */
export function jsonErrorOffset(text: string, message: string): number | undefined {
  const at = /at position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  if (/Unexpected end of JSON input/.test(message)) return text.length;
  const quoted = /^Unexpected token '(.)', (\.\.\.)?"(.*)"(\.\.\.)? is not valid JSON$/su.exec(message);
  if (!quoted) return undefined;
  const [, token = '', before, snippet = '', after] = quoted;
  if (!before && !after) {
    const index = text.indexOf(token);
    return index === -1 ? undefined : index;
  }
  if (!before) return snippet.length - CONTEXT;
  for (let from = text.indexOf(snippet); from !== -1; from = text.indexOf(snippet, from + 1)) {
    if (text.startsWith(token, from + CONTEXT)) return from + CONTEXT;
  }
  return undefined;
}

/** The message without V8's position or quoted source, which the file:line:column prefix replaces. */
export function plainJsonProblem(message: string): string {
  const token = /^Unexpected token '(.)',/su.exec(message);
  if (token) return `unexpected ${JSON.stringify(token[1])}`;
  const plain = message.replace(/ in JSON at position \d+.*$/s, '').replace(/ \(line \d+ column \d+\)/, '');
  return plain.charAt(0).toLowerCase() + plain.slice(1);
}

export function parseJson(text: string, file: string, code: string, hint: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const lineCol = /\(line (\d+) column (\d+)\)/.exec(message);
    const offset = jsonErrorOffset(text, message);
    const position = lineCol
      ? { file, line: Number(lineCol[1]), column: Number(lineCol[2]) }
      : offset === undefined
        ? { file }
        : { file, ...lineColumnAt(text, offset) };
    throw new InputError(code, position, `not valid JSON: ${plainJsonProblem(message)}`, { cause: error, hint });
  }
}

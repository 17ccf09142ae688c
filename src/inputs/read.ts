/** Reading an input file into text, with the failures an operator can fix turned into InputErrors. */
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { columnAtByte, lineAt } from '../ledger/lines.js';
import { firstInvalidByte, rejectNulBytes } from '../ledger/utf8.js';

export interface InputKind {
  /** What the file is, for messages: "scheduler state", "accounts file". */
  what: string;
  /** The code for content problems in this kind of file. */
  code: string;
  /** How to point daycap at the right file, shown when it is missing. */
  hint: string;
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

export async function readInputBytes(path: string, kind: InputKind): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const errno = errnoCode(error);
    if (errno === 'ENOENT' || errno === 'ENOTDIR') {
      throw new InputError('INPUT_MISSING', { file: path }, `${kind.what} not found`, { cause: error, hint: kind.hint });
    }
    if (errno === 'EISDIR') {
      throw new InputError('INPUT_UNREADABLE', { file: path }, `is a folder, expected the ${kind.what} file`, { cause: error, hint: kind.hint });
    }
    throw new InputError('INPUT_UNREADABLE', { file: path }, `cannot read the ${kind.what}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Strict UTF-8 with the BOM dropped: a file saved in another encoding would otherwise turn into
 * replacement characters inside captions and account names without anyone noticing. NUL bytes are
 * damage, not text (see rejectNulBytes).
 */
export function decodeUtf8(bytes: Uint8Array, path: string, kind: InputKind): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    // Found by test/faults/bad-input.test.ts: the message named the file but not where in it, unlike
    // the ledger's; an operator with a 10,000-line captions.csv needs the line (and byte column).
    const bad = firstInvalidByte(bytes);
    const position = { file: path, line: lineAt(bytes, bad), column: columnAtByte(bytes, bad) };
    throw new InputError(kind.code, position, `is not UTF-8 text (byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')})`, {
      cause: error,
      hint: `Save the ${kind.what} as UTF-8 (spreadsheets: "CSV UTF-8"). The file has not been changed.`,
    });
  }
  rejectNulBytes(bytes, path, kind.code);
  return text;
}

export async function readInputText(path: string, kind: InputKind): Promise<string> {
  return decodeUtf8(await readInputBytes(path, kind), path, kind);
}

/** Line and column (from 1) of a UTF-16 offset, counting LF as the line break so CRLF files agree. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Lines of a text file, without their CR/LF ends; a final newline does not make an extra line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

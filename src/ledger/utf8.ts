import { isUtf8 } from 'node:buffer';

import { InputError } from '../errors.js';
import { columnAtByte, lineAt } from './lines.js';

/**
 * Decodes strictly: Buffer#toString would quietly turn bad bytes into U+FFFD, and the next snapshot
 * would then write that damage back over the operator's data.
 */
export function decodeUtf8(bytes: Buffer, file: string, code: string): string {
  return checkUtf8(bytes, file, code).toString('utf8');
}

/** Throws as decodeUtf8 does, without decoding: for a reader that decodes field by field. Returns `bytes`. */
export function checkUtf8(bytes: Buffer, file: string, code: string): Buffer {
  if (isUtf8(bytes)) {
    rejectNulBytes(bytes, file, code);
    return bytes;
  }
  const bad = firstInvalidByte(bytes);
  // Spreadsheets' "Unicode Text" saves UTF-16 with a byte-order mark: name it, the bytes alone puzzle.
  const utf16 = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  const problem = `invalid UTF-8 (byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')} at offset ${bad}${utf16 ? '; the file starts with a UTF-16 byte-order mark, so it was saved as UTF-16' : ''})`;
  throw new InputError(code, { file, line: lineAt(bytes, bad), column: columnAtByte(bytes, bad) }, problem, {
    hint: 'The file must be saved as UTF-8. In a spreadsheet, use "CSV UTF-8" when saving; in an editor, re-save with UTF-8 encoding. The file has not been changed.',
  });
}

/**
 * LF never occurs inside a multi-byte sequence, so the first invalid line is found line by line, and
 * within it the longest valid prefix ends where the bad sequence starts. Only runs on the error path.
 */
export function firstInvalidByte(bytes: Uint8Array): number {
  let start = 0;
  for (;;) {
    const lf = bytes.indexOf(0x0a, start);
    const end = lf === -1 ? bytes.length : lf;
    const line = bytes.subarray(start, end);
    if (!isUtf8(line)) {
      let valid = 0;
      for (let k = 1; k <= line.length; k++) if (isUtf8(line.subarray(0, k))) valid = k;
      return start + valid;
    }
    if (lf === -1) return bytes.length;
    start = lf + 1;
  }
}

/**
 * NUL is valid UTF-8 but never text in these files: it is what a crash leaves when the file system
 * extended a file it had not yet written (a run of zeros). Read as text it would become part of a
 * caption or a job id and be written back, so it is refused like any other damage. Every reader of
 * a ledger, archive or input file calls this once the bytes are known to be UTF-8 (a UTF-16 file is
 * full of NULs too, and is better named by the UTF-8 check).
 */
export function rejectNulBytes(bytes: Uint8Array, file: string, code: string): void {
  const at = bytes.indexOf(0);
  if (at === -1) return;
  let end = at;
  while (end < bytes.length && bytes[end] === 0) end++;
  const run = end - at;
  throw new InputError(code, { file, line: lineAt(bytes, at), column: columnAtByte(bytes, at) }, `holds ${run === 1 ? 'a NUL byte' : `${run} NUL bytes`} at offset ${at}: the file is damaged (zero-filled by a crash?), not text`, {
    hint: 'Restore the file from a backup or an archive, or cut the damaged part out by hand in an editor that shows NUL bytes. The file has not been changed.',
  });
}

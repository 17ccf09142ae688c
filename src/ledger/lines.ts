/**
 * Line numbers for messages. A line ends at LF, the way `sed -n`, grep and vim count; CRLF files
 * therefore count the same as LF files.
 */

type Source = string | Uint8Array;

function nextLf(src: Source, from: number): number {
  return typeof src === 'string' ? src.indexOf('\n', from) : src.indexOf(0x0a, from);
}

/** 1-based line of the character (string) or byte (bytes) at `offset`. */
export function lineAt(src: Source, offset: number): number {
  return linesAt(src, [offset])[0]!;
}

/**
 * 1-based line of each of `offsets` (ascending), in one pass, so that asking for every record's
 * line costs O(text) in all, not O(text) per record.
 */
export function linesAt(src: Source, offsets: ArrayLike<number>): number[] {
  const lines = new Array<number>(offsets.length);
  let line = 1;
  let lf = nextLf(src, 0);
  for (let i = 0; i < offsets.length; i++) {
    while (lf !== -1 && lf < offsets[i]!) {
      line++;
      lf = nextLf(src, lf + 1);
    }
    lines[i] = line;
  }
  return lines;
}

/** 1-based column (in bytes) of the byte at `offset`. */
export function columnAtByte(bytes: Uint8Array, offset: number): number {
  // At offset 0 there is no earlier line end; lastIndexOf(x, -1) would search from the END of the
  // buffer instead (found by test/faults/bad-input.test.ts: a UTF-16 file was reported at column -258).
  if (offset <= 0) return 1;
  return offset - (bytes.lastIndexOf(0x0a, offset - 1) + 1) + 1;
}

/** What the two CSV scanners (csvBytes.ts, the strict fast path on bytes; salvage-csv.ts, the forgiving one) read alike. */

export const QUOTE = 34;
export const COMMA = 44;
export const LF = 10;
export const CR = 13;

/**
 * Index of the quote that closes a field whose content starts at `from` (a doubled quote is part
 * of the content); -1 if no quote closes it.
 */
export function closingQuote(text: string, from: number): number {
  for (let q = from; ;) {
    const e = text.indexOf('"', q);
    if (e === -1) return -1;
    if (text.charCodeAt(e + 1) !== QUOTE) return e;
    q = e + 2;
  }
}

/**
 * Width-aware text helpers for the live screen. Widths are terminal columns as Ink measures them
 * (string-width: East Asian wide characters and emoji count 2, combining marks 0), so a field cut
 * here never makes Ink wrap a row.
 */
import stringWidth from 'string-width';
import type { Job } from '../core/job.js';

export const ELLIPSIS = '…';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Terminal columns a string takes. Every frame measures its rows, so text made only of characters
 * known to be one column wide (Latin, the bars, arrows and symbols this screen draws) is counted
 * without the Unicode tables; anything else goes to string-width.
 */
export function width(text: string): number {
  for (let i = 0; i < text.length; i++) {
    if (!isNarrow(text.charCodeAt(i))) return stringWidth(text);
  }
  return text.length;
}

function isNarrow(c: number): boolean {
  return (c >= 0x20 && c < 0x7f) ||
    (c >= 0xa0 && c < 0x300) || // Latin-1 and Latin Extended (combining marks start at 0x300)
    (c >= 0x2010 && c <= 0x2027) || // dashes, bullets, the ellipsis
    (c >= 0x2190 && c <= 0x22ff) || // arrows (↻ →), mathematical operators (⊘)
    (c >= 0x2500 && c <= 0x25ff) || // box drawing, block elements (█ ░ ▁…█), geometric shapes (▶)
    c === 0x2714 || c === 0x2716; // ✔ ✖ (text presentation; with U+FE0F they fall to string-width)
}

/** Collapses newlines, tabs and runs of spaces: captions and handler errors span lines. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** Cuts `text` to at most `columns` columns, ending with an ellipsis when something was cut. */
export function fit(text: string, columns: number): string {
  if (columns <= 0) return '';
  // Line breaks and tabs would break the row; leading spaces are layout and stay.
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  if (width(flat) <= columns) return flat;
  if (columns === 1) return ELLIPSIS;
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(flat)) {
    const w = width(segment);
    if (used + w > columns - 1) break;
    out += segment;
    used += w;
  }
  return out + ELLIPSIS;
}

/** `fit`, then padded with spaces to exactly `columns` columns (for aligned columns). */
export function pad(text: string, columns: number): string {
  const cut = fit(text, columns);
  return cut + ' '.repeat(Math.max(0, columns - width(cut)));
}

/** Right-aligned variant of `pad`. */
export function padStart(text: string, columns: number): string {
  const cut = fit(text, columns);
  return ' '.repeat(Math.max(0, columns - width(cut))) + cut;
}

const BARS = '▁▂▃▄▅▆▇█';

/** A sparkline: zero is the lowest bar, the largest value the highest. */
export function sparkline(values: readonly number[]): string {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  let out = '';
  for (const v of values) {
    if (max === 0 || v <= 0) out += BARS[0];
    else out += BARS[Math.min(BARS.length - 1, 1 + Math.floor(((v / max) * (BARS.length - 2)) + 0.5))];
  }
  return out;
}

/** A rate for people: `4.1`, `37`, `12.3k`. */
export function formatRate(perMinute: number): string {
  if (!Number.isFinite(perMinute) || perMinute <= 0) return '0';
  if (perMinute >= 10_000) return `${(perMinute / 1000).toFixed(perMinute >= 100_000 ? 0 : 1)}k`;
  if (perMinute >= 10) return String(Math.round(perMinute));
  return perMinute.toFixed(1);
}

/**
 * A throughput for people, from jobs per minute: per minute while slow (`4.1 jobs/min`, `37
 * jobs/min`), per second from ten a second up (`12 jobs/s`, `12.3k jobs/s`).
 */
export function formatThroughput(perMinute: number): { value: string; unit: 'jobs/min' | 'jobs/s'; per: '/min' | '/s' } {
  if (Number.isFinite(perMinute) && perMinute >= 600) return { value: formatRate(perMinute / 60), unit: 'jobs/s', per: '/s' };
  return { value: formatRate(perMinute), unit: 'jobs/min', per: '/min' };
}

/** Plural helper: `1 account`, `3 accounts`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The last path component, for ledgers and video files (both separators: ledgers come from Windows too). */
export function baseName(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut >= 0 ? path.slice(cut + 1) : path;
}

/** A job's video as the operator knows it: its file name (the job's id if it has none). */
export function videoName(job: Job): string {
  return job.video_path ? baseName(job.video_path) : job.job_id;
}

/** Names in code-point order (not the locale's): the same on every machine. */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

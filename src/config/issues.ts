/**
 * Schema issues as the operator reads them: one line each, naming the file, the key and the value
 * expected, e.g. `daycap.config.json: pacing.minGap: expected a duration such as 30s, 10m or 1h30m, got 5`.
 */
import type { z } from 'zod';
import { jsonPath } from '../inputs/state.js';
import { keysAt, type IssueParams } from './schema.js';

/** Enough to fix several typos at once without burying the first. */
const SHOWN_ISSUES = 5;

export function describeIssues(file: string, issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.slice(0, SHOWN_ISSUES).flatMap((issue) => issueLines(issue)).map((line) => `${file}: ${line}`);
  if (issues.length > SHOWN_ISSUES) lines.push(`${file}: and ${issues.length - SHOWN_ISSUES} more`);
  return lines.join('\n');
}

function issueLines(issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => unknownKey(issue.path, key));
  // A record's key: the key's own issue says what a key should look like.
  const inner = issue.code === 'invalid_key' ? issue.issues[0] : undefined;
  const message = inner?.message ?? issue.message;
  const params = (issue.code === 'custom' ? issue.params : undefined) as IssueParams | undefined;
  const where = jsonPath(issue.path);
  if (params?.verbatim) return [`${where}: ${message}`];
  const note = params?.note ? ` (${params.note})` : '';
  if (params?.missing || !('input' in issue) || issue.input === undefined) return [`${where}: ${message}, but it is missing${note}`];
  return [`${where}: ${message}, got ${shown(issue.input)}${note}`];
}

function unknownKey(path: readonly PropertyKey[], key: string): string {
  const full = jsonPath([...path, key]);
  const known = keysAt(path);
  const guess = closest(key, known);
  if (guess) return `unknown key ${full} (did you mean ${guess}?)`;
  return `unknown key ${full} (${known.length ? `expected one of ${known.join(', ')}` : 'no keys are expected here'})`;
}

/** What was there, short: a value as JSON, a list or an object by its kind. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/**
 * The known key a typo most likely meant: the same letters ignoring case, `_` and `-`; at most two
 * edits away; or a shortening of it (`maxCaptionLen`).
 */
export function closest(key: string, known: readonly string[]): string | undefined {
  const plain = (text: string) => text.toLowerCase().replace(/[_-]/g, '');
  const distanceTo = (name: string): number => {
    if (plain(name) === plain(key)) return 0;
    const edits = editDistance(plain(key), plain(name));
    if (edits <= Math.min(2, Math.floor(name.length / 3))) return edits;
    return plain(key).length >= 4 && plain(name).startsWith(plain(key)) ? 2.5 : Number.POSITIVE_INFINITY;
  };
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = distanceTo(name);
    if (Number.isFinite(distance) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Durations as operators write them (`500ms`, `30s`, `10m`, `1h30m`, `2d`), one reading for
 * command-line flags and the configuration file alike, and the way back for printing.
 */

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

export type DurationProblem = 'empty' | 'no-unit' | 'not-a-duration' | 'too-long';

/** Why a text is not a duration; `message` is a whole sentence, `note` a short aside for a message of one's own. */
export class DurationError extends RangeError {
  constructor(readonly text: string, readonly problem: DurationProblem, message: string, readonly note: string | undefined) {
    super(message);
    this.name = 'DurationError';
  }
}

/**
 * Text → milliseconds. A bare `0` is allowed; any other bare number is refused, because an
 * operator who writes `5` could mean seconds or minutes.
 */
export function durationMs(text: string): number {
  const value = text.trim().toLowerCase();
  if (value === '0') return 0;
  if (value === '') throw new DurationError(text, 'empty', 'a duration cannot be empty; write e.g. 30s, 10m or 1h30m.', undefined);
  let total = 0;
  PART.lastIndex = 0;
  let at = 0;
  for (let match = PART.exec(value); match; match = PART.exec(value)) {
    total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    at = PART.lastIndex;
  }
  if (at !== value.length) {
    const bare = /^\d+(\.\d+)?$/.test(value);
    const note = bare ? `add a unit: ${value}s, ${value}m, …` : undefined;
    throw new DurationError(text, bare ? 'no-unit' : 'not-a-duration', `${JSON.stringify(text)} is not a duration${note ? ` (${note})` : ''}; write e.g. 500ms, 30s, 10m, 1h30m or 2d.`, note);
  }
  if (!Number.isFinite(total) || total > Number.MAX_SAFE_INTEGER) throw new DurationError(text, 'too-long', `${JSON.stringify(text)} is too long a duration.`, 'too long');
  return Math.round(total);
}

/** Milliseconds → the shortest text `durationMs` reads back to the same value: 300000 → `5m`, 5400000 → `1h30m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`${ms} ms is not a duration`);
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let text = '';
  for (const [unit, size] of Object.entries(UNIT_MS)) {
    const count = Math.floor(rest / size);
    if (count === 0) continue;
    text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
}

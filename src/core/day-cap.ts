/**
 * Which daily cap a command uses (docs/configuration.md, "Which cap applies"): the first cap given
 * explicitly — the --cap flag, then the configuration file, then the scheduler state or campaign —
 * else the one recorded on the ledger by the last seed, run or import that was given one, else the
 * default. Pure: the caller reads the recorded cap and records the new one.
 */
import { DEFAULT_CAP } from './job.js';

export type CapSource = 'explicit' | 'recorded' | 'default';

export interface DayCap {
  cap: number;
  source: CapSource;
  /** What the ledger had recorded before this command (undefined: nothing, or a damaged record). */
  recorded: number | undefined;
}

/** `explicit` in order of precedence, highest first (undefined: not given there). */
export function chooseCap(explicit: ReadonlyArray<number | undefined>, recorded: number | undefined): DayCap {
  const given = explicit.find((cap) => cap !== undefined);
  if (given !== undefined) return { cap: given, source: 'explicit', recorded };
  if (recorded !== undefined) return { cap: recorded, source: 'recorded', recorded };
  return { cap: DEFAULT_CAP, source: 'default', recorded };
}

/** Whether the ledger should record this cap: an explicit one it does not hold yet (the latest word wins). */
export function capToRecord(day: DayCap): number | undefined {
  return day.source === 'explicit' && day.cap !== day.recorded ? day.cap : undefined;
}

/** The one line an operator sees when an explicit cap replaces a different recorded one. */
export function capChangeLine(day: DayCap, command: string): string | undefined {
  if (capToRecord(day) === undefined || day.recorded === undefined) return undefined;
  return `warning: the ledger's cap was ${day.recorded}; this ${command} uses ${day.cap} (and records it)`;
}

/** A recorded cap as read back: a whole number of at least 1, else undefined (damaged). */
export function validRecordedCap(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}

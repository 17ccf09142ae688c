/**
 * The one place a command settles its daily cap (docs/configuration.md, "Which cap applies"): the
 * caps given explicitly, in order of precedence, else the cap recorded on the ledger, else the
 * default. Only seed, run and import record an explicit cap; reading commands never write.
 */
import { capChangeLine, capToRecord, chooseCap, type DayCap } from '../core/day-cap.js';
import type { Ledger } from '../store/ledger.js';

export type { DayCap } from '../core/day-cap.js';

/**
 * `explicit`: the --cap flag, the configuration file's cap, the scheduler state's or campaign's cap,
 * highest first (a caller that has merged flag and file passes the merged value first).
 */
export async function resolveDayCap(ledger: Ledger, explicit: ReadonlyArray<number | undefined>, warn?: (line: string) => void): Promise<DayCap> {
  // An explicit cap still needs the recorded one: a change is said, and a same cap is not rewritten.
  return chooseCap(explicit, await ledger.recordedCap(warn));
}

/** Records an explicit cap the ledger does not hold yet, saying so in one line when it replaces another. */
export async function recordDayCap(ledger: Ledger, day: DayCap, command: string, log?: (line: string) => void): Promise<void> {
  const cap = capToRecord(day);
  if (cap === undefined) return;
  const line = capChangeLine(day, command);
  if (line) log?.(line);
  await ledger.recordCap(cap);
}

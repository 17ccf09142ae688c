/** The exit codes of `daycap run` and the other commands, in one place (README.md#exit-codes lists them). */
import type { EndReason, RunSummary } from './events.js';

export const EXIT = {
  /** Every job of the day is success (or set aside as skipped by an operator). */
  OK: 0,
  /**
   * A safety check refused the command before touching anything, e.g. --force-reseed without
   * --reset-day (docs/commands.md#daycap-seed).
   */
  SAFETY: 1,
  /** Refused to start: bad input, bad option, invalid ledger, unusable handler. */
  INPUT: 2,
  /** Refused to start: another process holds the ledger. */
  LOCKED: 3,
  /** The run finished with jobs left: failed, unconfirmed, retrying, pending or without an account. */
  JOBS_LEFT: 4,
  /** Storage failed (disk full, I/O error) or the ledger lock was lost; nothing more was written. */
  STORAGE: 5,
  /** A bug in daycap: a report was printed. */
  BUG: 70,
  /** Interrupted (SIGINT, SIGTERM, `q`, `daycap stop`). */
  INTERRUPTED: 130,
} as const;

export function exitCodeFor(reason: EndReason, summary: RunSummary): number {
  if (reason === 'interrupted') return EXIT.INTERRUPTED;
  if (reason === 'storage-failed' || reason === 'lock-lost') return EXIT.STORAGE;
  const { counts } = summary;
  const left = counts.pending + counts.claimed + counts.retrying + counts.failed + counts.unconfirmed;
  return left === 0 ? EXIT.OK : EXIT.JOBS_LEFT;
}

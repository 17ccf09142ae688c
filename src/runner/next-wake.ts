/**
 * When a run with nothing claimable now should look again: a retry within --max-passes, the
 * posting window opening (if the run waits for it), the global rate limit, a held account within
 * the longest wait, or (on a shared ledger) a while, as long as other runs hold claims whose
 * outcomes may free work. Undefined: nothing worth waiting for, and the run ends. Pure.
 */
import type { Outlook } from '../store/store.js';
import { formatDuration } from './log.js';

/** How often an idle run looks again while other runs hold claims (their notifications usually come first). */
export const DEFAULT_OTHERS_POLL_MS = 2_000;

export function nextWake(outlook: Outlook, now: number, options: { windowEnds: boolean; maxWaitMs: number; othersPollMs?: number }): { at: number | undefined; warning?: string } {
  const times: number[] = [];
  // Another host's outcome may free an account here; its notification usually comes first.
  if (outlook.othersInFlight > 0) times.push(now + (options.othersPollMs ?? DEFAULT_OTHERS_POLL_MS));
  // Retries beyond --max-passes are left for a later run rather than waited for (the store only gives those within).
  if (outlook.retry) times.push(outlook.retry.at);
  if (outlook.global?.rule === 'outside-window' && options.windowEnds) return { at: undefined };
  if (outlook.global) times.push(outlook.global.until);
  const account = outlook.nextAccountAt;
  let warning: string | undefined;
  if (account !== undefined) {
    if (account - now <= options.maxWaitMs) times.push(account);
    else if (times.length === 0) {
      warning = `the next held account may post in ${formatDuration(account - now)}, longer than the longest wait (${formatDuration(options.maxWaitMs)}): ending the run; a later run picks its jobs up`;
    }
  }
  const at = times.length > 0 ? Math.min(...times) : undefined;
  return warning === undefined ? { at } : { at, warning };
}

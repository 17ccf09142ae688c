/**
 * Reaching a live `daycap run` from another terminal, through the ledger (for a file: the run's
 * control socket beside it, trusted only from the process that holds the ledger's lock).
 */
import { DaycapError } from '../errors.js';
import type { ControlRequest, ControlResponse } from '../runner/control-protocol.js';
import { EXIT } from '../runner/exit-codes.js';
import { ledgerAt } from '../store/open.js';

/** `daycap pause|resume|stop` found no run using the ledger (CLI only; README.md#exit-codes lists it). */
export const EXIT_NO_RUN = 6;

export type LiveAnswer = Extract<ControlResponse, { ok: true }>;

/**
 * The live runner's answer, or undefined when no live run holds the ledger. A refusal by the runner
 * is an error (exit 2). `staleMs`: see lockStaleMs (a lock older than that has no live holder).
 */
export async function askLiveRun(ledger: string, request: ControlRequest, staleMs: number): Promise<LiveAnswer | undefined> {
  const response = await ledgerAt(ledger, { staleMs }).ask(request);
  if (!response) return undefined;
  if (!response.ok) {
    throw new DaycapError('RUN_REFUSED', `run ${response.runId} (pid ${response.pid}) using ${ledger} refused ${request.op}: ${response.error}`, { exitCode: EXIT.INPUT });
  }
  return response;
}

/** `run 7f3c0a (pid 4242)`; on a shared ledger every run the request reached, with its host. */
export function whichRun(answer: LiveAnswer): string {
  if (answer.runs && answer.runs.length > 0) {
    const each = answer.runs.map((run) => `${run.runId} on ${run.host} (pid ${run.pid})`).join(', ');
    return `${answer.runs.length === 1 ? 'run' : `${answer.runs.length} runs:`} ${each}`;
  }
  return `run ${answer.runId} (pid ${answer.pid})`;
}

/**
 * For commands that only make sense beside a live run (pause, resume, stop): says why there is
 * none. A missing ledger is the usual typo (exit 2); a holder that does not answer on the control
 * socket is a command other than a run, or a run on another host (exit 3); otherwise nothing runs.
 */
export async function noLiveRun(ledger: string, what: string, staleMs: number): Promise<never> {
  const where = ledgerAt(ledger, { staleMs });
  await where.requireExisting();
  const holder = await where.holder();
  if (holder) {
    throw new DaycapError('RUN_UNREACHABLE', `ledger ${ledger} is held by ${holder}, which does not answer on its control socket; nothing to ${what}`, {
      exitCode: EXIT.LOCKED,
      hint: 'Only a `daycap run` (or `daycap demo`) on this machine can be reached from another terminal. If that is one, stop it with Ctrl-C in its own terminal.',
    });
  }
  throw new DaycapError('NO_LIVE_RUN', `no run is using ${ledger}; nothing to ${what}`, {
    exitCode: EXIT_NO_RUN,
    hint: `\`daycap status --ledger ${ledger}\` shows the day as the ledger has it.`,
  });
}

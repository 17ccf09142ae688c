/** The plain-text subscriber: one readable line per event, for logs, pipes and --no-tui. */
import { capSkipLine } from '../core/claim-policy.js';
import type { Blockers } from '../core/day-state.js';
import type { PacingPolicy } from '../core/policy.js';
import { describeWindows } from '../core/window.js';
import type { RunEvent, RunEventStream, RunEvents } from './events.js';

let shownSecond = Number.NaN;
let shownTime = '';

/** HH:MM:SS (UTC). Every claim and outcome is logged, so the text is made once per second, not per line. */
export function clockTime(at: number): string {
  const second = Math.floor(at / 1000);
  if (second !== shownSecond) {
    shownSecond = second;
    shownTime = new Date(second * 1000).toISOString().slice(11, 19);
  }
  return shownTime;
}

export function describeBlockers(b: Blockers, now: number): string {
  const parts: string[] = [];
  // Older live runs and tests may send blockers without the newer counts.
  if (b.global?.rule === 'outside-window') parts.push(`outside the posting window (opens in ${formatDuration(b.global.until - now)})`);
  if (b.global?.rule === 'rate-limit') parts.push(`global rate limit reached (next claim in ${formatDuration(b.global.until - now)})`);
  if (b.accountsInFlight) parts.push(`${b.accountsInFlight} account${b.accountsInFlight === 1 ? '' : 's'} in flight`);
  if (b.accountsAtCap) parts.push(`${b.accountsAtCap} at cap`);
  if (b.accountsCooling) parts.push(`${b.accountsCooling} cooling down`);
  if (b.accountsInGap) parts.push(`${b.accountsInGap} in their gap between posts`);
  if (b.accountsFrozen) parts.push(`${b.accountsFrozen} frozen`);
  if (b.nextAccountAt !== undefined && (b.accountsCooling || b.accountsInGap || b.accountsAtCap)) parts.push(`next account free in ${formatDuration(b.nextAccountAt - now)}`);
  if (b.retryingLater) parts.push(`${b.retryingLater} retrying later${b.nextRetryAt === undefined ? '' : ` (next in ${formatDuration(b.nextRetryAt - now)})`}`);
  if (b.unassigned) parts.push(`${b.unassigned} without an account`);
  return parts.length ? parts.join(', ') : 'nothing left to claim';
}

/** The pacing rules in force, one short phrase each, for the log and the live view. */
export function describePacing(pacing: PacingPolicy): string[] {
  const out: string[] = [];
  if (pacing.capMode === 'rolling-24h') out.push('cap over a rolling 24 hours');
  if (pacing.minGapMs > 0 || pacing.jitterMs > 0) out.push(`gap ${formatDuration(pacing.minGapMs)}${pacing.jitterMs > 0 ? ` + up to ${formatDuration(pacing.jitterMs)}` : ''}`);
  if (pacing.perMinute !== undefined) out.push(`at most ${pacing.perMinute}/min`);
  if (pacing.windows) out.push(`window ${describeWindows(pacing.windows)}${pacing.windows.atEnd === 'end' ? ' (then end)' : ''}`);
  return out;
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${m}:${ss}`;
}

/** Turns one event into a log line, or undefined for events too frequent to log one by one. */
export function formatEvent(event: RunEvent): string | undefined {
  const t = clockTime(event.at);
  switch (event.type) {
    case 'run-started':
      return `${t} run ${event.runId} started: ${event.jobs} jobs in ${event.ledger}, ${event.workers} workers, cap ${event.cap}/account/day, handler ${event.handler}` +
        (event.pacing?.length ? `; pacing: ${event.pacing.join(', ')}` : '') +
        (event.frozen?.length ? `; ${event.frozen.length} account${event.frozen.length === 1 ? '' : 's'} frozen (${event.frozen.map((f) => f.account).slice(0, 5).join(', ')}${event.frozen.length > 5 ? ', …' : ''})` : '') +
        (event.cooling?.length ? `; ${event.cooling.length} cooling down` : '');
    case 'recovered':
      return `${t} recovered: ${event.unconfirmed} unconfirmed from a run that died (verify: ${event.posted} posted, ${event.notPosted} not posted, ${event.unknown} unknown)` +
        (event.journalRecords ? `; ${event.journalRecords} journal records replayed` : '');
    case 'job-claimed':
      return `${t} worker ${event.workerId} claimed job ${event.job.job_id} (account: ${event.job.account})`;
    case 'job-done':
      return `${t} worker ${event.workerId} posted job ${event.job.job_id} (account: ${event.job.account}) in ${(event.durationMs / 1000).toFixed(1)}s${event.job.video_id ? ` as ${event.job.video_id}` : ''}`;
    case 'job-failed':
      return `${t} worker ${event.workerId} job ${event.job.job_id} FAILED (account: ${event.job.account}) ${event.job.error_category}/${event.job.error_type}: ${oneLine(event.job.error)} (attempt ${event.job.attempts}/${event.job.max_attempts}, not retried)`;
    case 'job-retrying':
      return `${t} worker ${event.workerId} job ${event.job.job_id} failed (account: ${event.job.account}) ${event.job.error_category}/${event.job.error_type}: ${oneLine(event.job.error)}; retry at ${event.job.retry_at} (attempt ${event.job.attempts}/${event.job.max_attempts})`;
    case 'job-unconfirmed':
      return `${t} worker ${event.workerId} job ${event.job.job_id} UNCONFIRMED (account: ${event.job.account}): ${event.reason}; it counts toward the cap until verified or released`;
    case 'cap-skip':
      return `${t} ${capSkipLine(event)}`;
    case 'pass-ended':
      return `${t} pass ${event.pass} ended${event.nextRetryAt === undefined ? '' : `; waiting ${formatDuration(event.nextRetryAt - event.at)} for the next retry`}`;
    case 'worker-idle':
      return `${t} worker ${event.workerId} idle: ${describeBlockers(event.blockers, event.at)}`;
    case 'account-frozen':
      return `${t} account ${event.account} FROZEN for the day: ${oneLine(event.reason)}; its jobs stay pending (lift with \`daycap unfreeze --account ${event.account}\`)`;
    case 'account-cooling':
      return `${t} account ${event.account} cooling down until ${new Date(event.until).toISOString()} (${formatDuration(event.until - event.at)}): ${oneLine(event.reason)}`;
    case 'account-unfrozen':
      return event.jobs > 0
        ? `${t} account ${event.account} unfrozen by the operator: ${event.jobs} failed job${event.jobs === 1 ? '' : 's'} changed; its jobs may be claimed again`
        : `${t} account ${event.account} is no longer frozen (its failed job was changed in the ledger); its jobs may be claimed again`;
    case 'window':
      if (event.open) return `${t} posting window open: claiming again`;
      return event.until === undefined
        ? `${t} outside the posting window: no new claims; the run ends when the jobs in flight are done`
        : `${t} outside the posting window: no new claims until ${new Date(event.until).toISOString()} (in ${formatDuration(event.until - event.at)})`;
    case 'worker-died':
      return `${t} worker ${event.workerId} died: ${oneLine(event.message)}; starting a new thread`;
    case 'ledger-written':
      return event.kind === 'snapshot' ? `${t} ledger written (${event.rows} rows)` : undefined;
    case 'ledger-counts':
      return undefined;
    case 'external-edit':
      return `${t} ledger edited outside daycap: ${event.merged} rows merged, ${event.refused} refused${event.keptAs ? `; your file was kept as ${event.keptAs}` : ''}. ${event.message}`;
    case 'paused':
      return `${t} claiming ${event.paused ? 'paused' : 'resumed'}`;
    case 'stopping':
      return `${t} stopping (${event.reason}): no new claims; jobs in flight have ${formatDuration(event.graceMs)} to finish`;
    case 'warning':
      return `${t} WARNING ${event.message}`;
    case 'run-ended':
      return `${t} ${runEndedText(event)}`;
  }
}

/** How a run ended, in a line: its counts and exit code (the log's last line, and the night shift's notice). */
export function runEndedText(event: RunEvents['run-ended']): string {
  const c = event.summary.counts;
  return `run ${event.summary.runId} ended (${event.reason}) after ${formatDuration(event.summary.endedAt - event.summary.startedAt)}: ` +
    `${c.success} success, ${c.failed} failed, ${c.retrying} retrying, ${c.unconfirmed} unconfirmed, ${c.pending} pending, ${c.skipped} skipped` +
    `${event.summary.unassigned ? ` (${event.summary.unassigned} without an account)` : ''}; exit code ${event.exitCode}`;
}

export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/** Subscribes a line writer to a run's events; returns the unsubscribe function. */
export function attachLog(events: RunEventStream, write: (line: string) => void): () => void {
  return events.onAny((event) => {
    const line = formatEvent(event);
    if (line !== undefined) write(line);
  });
}

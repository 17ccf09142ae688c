/**
 * What the night shift is told (docs/configuration.md#notify): which of the run's events need a
 * person, in a line each, and how a burst of them becomes one call. Pure: the notifier
 * (notify.ts) does the calling.
 */
import { formatDuration, oneLine, runEndedText } from './log.js';
import type { RunEvent } from './events.js';

/** The events a notifier hears, as DAYCAP_EVENT and `{event}` name them. */
export const NOTIFY_EVENTS = ['account-frozen', 'account-cooling', 'job-unconfirmed', 'storage-failed', 'lock-lost', 'run-ended'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** A cooldown only needs a person when it is longer than this. */
export const LONG_COOLDOWN_MS = 60 * 60_000;
/** The most notices one call lists in its message; the others are counted. */
export const MAX_LISTED = 10;

export interface Notice {
  event: NotifyEvent;
  /** One line for a person. */
  message: string;
  account?: string;
  jobId?: string;
  exitCode?: number;
}

/** What the mapping remembers between events: the run's ledger. */
export interface NoticeContext {
  ledger?: string;
}

/** The notices an event calls for (most call for none); `context` is updated as events pass. */
export function noticesOf(event: RunEvent, context: NoticeContext): Notice[] {
  switch (event.type) {
    case 'run-started':
      context.ledger = event.ledger;
      return [];
    case 'account-frozen':
      return [{ event: 'account-frozen', account: event.account, jobId: event.jobId, message: `account ${event.account} frozen for the day: ${oneLine(event.reason)} (job ${event.jobId}); its jobs wait until \`daycap unfreeze --account ${event.account}\`` }];
    case 'account-cooling':
      if (event.until - event.at <= LONG_COOLDOWN_MS) return [];
      return [{ event: 'account-cooling', account: event.account, jobId: event.jobId, message: `account ${event.account} cooling down for ${formatDuration(event.until - event.at)}, until ${new Date(event.until).toISOString()}: ${oneLine(event.reason)} (job ${event.jobId})` }];
    case 'job-unconfirmed':
      return [{ event: 'job-unconfirmed', account: event.job.account, jobId: event.job.job_id, message: `job ${event.job.job_id} (account ${event.job.account}) unconfirmed: ${event.reason}; it may have posted, and waits for verify or an operator (check the platform, then \`daycap release-stale\` or set it to success)` }];
    case 'recovered':
      return recoveredNotices(event);
    case 'run-ended':
      return [...endFailure(event), { event: 'run-ended', exitCode: event.exitCode, message: runEndedText(event) }];
    default:
      return [];
  }
}

/** Unconfirmed jobs of an earlier run that verify could not settle: they wait for a person. */
function recoveredNotices(event: Extract<RunEvent, { type: 'recovered' }>): Notice[] {
  const left = event.unconfirmed - event.posted - event.notPosted;
  if (left <= 0) return [];
  return [{ event: 'job-unconfirmed', message: `${left} job${left === 1 ? '' : 's'} left unconfirmed by an earlier run (verify: ${event.posted} posted, ${event.notPosted} not posted, ${event.unknown} unknown); check the platform, then \`daycap release-stale\` or set them to success` }];
}

function endFailure(event: Extract<RunEvent, { type: 'run-ended' }>): Notice[] {
  const cause = event.cause ? `: ${oneLine(event.cause)}` : '';
  if (event.reason === 'storage-failed') return [{ event: 'storage-failed', exitCode: event.exitCode, message: `storage failed${cause}; the run stopped and nothing more was written (exit code ${event.exitCode})` }];
  if (event.reason === 'lock-lost') return [{ event: 'lock-lost', exitCode: event.exitCode, message: `the ledger's lock was lost${cause}; the run stopped and nothing more was written (exit code ${event.exitCode})` }];
  return [];
}

/**
 * Notices of one kind that waited while the notifier was busy, as one: the first MAX_LISTED
 * messages one a line, and how many more. An account or job id is kept only when all share it.
 */
export function coalesce(notices: readonly Notice[], more = 0): Notice {
  const [first] = notices;
  if (!first) throw new RangeError('nothing to coalesce');
  const total = notices.length + more;
  if (total === 1) return first;
  const listed = notices.slice(0, MAX_LISTED).map((notice) => notice.message);
  const rest = total - listed.length;
  const same = <K extends 'account' | 'jobId' | 'exitCode'>(key: K) => (notices.every((notice) => notice[key] === first[key]) && more === 0 ? first[key] : undefined);
  const coalesced: Notice = { event: first.event, message: [`${total} ${first.event} notices:`, ...listed, ...(rest > 0 ? [`… and ${rest} more`] : [])].join('\n') };
  const account = same('account');
  const jobId = same('jobId');
  const exitCode = same('exitCode');
  if (account !== undefined) coalesced.account = account;
  if (jobId !== undefined) coalesced.jobId = jobId;
  if (exitCode !== undefined) coalesced.exitCode = exitCode;
  return coalesced;
}

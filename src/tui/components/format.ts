/** Wording shared by the live rows, the detail views, the scrollback and the final summary. */
import type { StatusCounts } from '../../core/job.js';
import { EXIT } from '../../runner/exit-codes.js';
import { clockTime, formatDuration } from '../../runner/log.js';
import type { FailureLine, RunEnd } from '../model.js';
import { seg, type Seg } from './Segs.js';

export const STATUS_STYLE = {
  success: { symbol: '✔', color: 'green', label: 'success' },
  failed: { symbol: '✖', color: 'red', label: 'failed' },
  retrying: { symbol: '↻', color: 'yellow', label: 'retrying' },
  claimed: { symbol: '▶', color: 'cyan', label: 'claimed' },
  unconfirmed: { symbol: '?', color: 'magenta', label: 'unconfirmed' },
  pending: { symbol: '·', color: 'gray', label: 'pending' },
  skipped: { symbol: '⊘', color: 'gray', label: 'skipped' },
} as const;

export type CountKey = keyof typeof STATUS_STYLE;
export const COUNT_ORDER: readonly CountKey[] = ['success', 'failed', 'retrying', 'claimed', 'unconfirmed', 'pending'];

/**
 * The status counts as coloured pieces. `labels` spells the status names; `compact` drops zero
 * counts (success and pending always stay); `gap` separates the entries.
 */
export function countSegs(counts: StatusCounts, options: { labels: boolean; compact: boolean; gap: string; skipped?: boolean; note?: Partial<Record<CountKey, string>> }): Seg[] {
  const keys: CountKey[] = [...COUNT_ORDER];
  if (options.skipped && counts.skipped > 0) keys.push('skipped');
  const out: Seg[] = [];
  for (const key of keys) {
    const n = counts[key];
    if (options.compact && n === 0 && key !== 'success' && key !== 'pending') continue;
    const style = STATUS_STYLE[key];
    if (out.length > 0) out.push(seg(options.gap));
    const extra = options.note?.[key] ? ` ${options.note[key]}` : '';
    out.push(seg(options.labels ? `${style.symbol} ${n} ${style.label}${extra}` : `${style.symbol} ${n}`, { color: style.color }));
  }
  return out;
}

/**
 * What happens next to a failed job: counting down to `now` (live) or at a fixed time (scrollback,
 * `now` undefined). `short` is the live part's narrow wording.
 */
export function failureStatus(line: FailureLine, now: number | undefined, short = false): string {
  if (line.outcome === 'unconfirmed') return short ? 'unconfirmed' : 'unconfirmed: counts toward the cap until verified or released';
  if (line.outcome === 'retrying') {
    const next = short ? `${line.attempts + 1}/${line.maxAttempts}` : `attempt ${line.attempts + 1}/${line.maxAttempts}`;
    if (line.retryAt === undefined) return `will retry (${next})`;
    if (now === undefined) return `retry at ${clockTime(line.retryAt)} (${next})`;
    return line.retryAt > now ? `retry in ${formatDuration(line.retryAt - now)} (${next})` : `retry due (${next})`;
  }
  const gaveUp = line.attempts >= line.maxAttempts && line.category !== 'account' && line.category !== 'content';
  if (gaveUp) return short ? `gave up ${line.attempts}/${line.maxAttempts}` : `gave up after attempt ${line.attempts}/${line.maxAttempts}`;
  return 'not retried';
}

export function failureKind(line: FailureLine): string {
  return line.type ? `${line.category}/${line.type}` : line.category;
}

export function failureColor(line: FailureLine): string {
  return line.outcome === 'failed' ? 'red' : line.outcome === 'retrying' ? 'yellow' : 'magenta';
}

/** The exit code and what it means for the operator, in one sentence. */
export function exitMeaning(end: RunEnd): string {
  const { summary, reason, exitCode } = end;
  const c = summary.counts;
  switch (exitCode) {
    case EXIT.OK:
      return 'every job is done';
    case EXIT.JOBS_LEFT: {
      const left: string[] = [];
      if (c.failed) left.push(`${c.failed} failed`);
      if (c.unconfirmed) left.push(`${c.unconfirmed} unconfirmed`);
      if (c.retrying) left.push(`${c.retrying} retrying`);
      if (c.claimed) left.push(`${c.claimed} claimed`);
      if (c.pending) left.push(`${c.pending} pending${summary.unassigned ? `, ${summary.unassigned} of them without an account` : ''}`);
      return `the run finished with jobs left (${left.join(', ') || 'see daycap status'})`;
    }
    case EXIT.STORAGE:
      return reason === 'lock-lost'
        ? 'the ledger lock was lost; nothing more was written after that'
        : 'storage failed (disk full or I/O error); nothing more was written after that';
    case EXIT.INTERRUPTED:
      return 'interrupted; jobs not started are still pending, and a new run goes on from here';
    default:
      return `ended (${reason})`;
  }
}

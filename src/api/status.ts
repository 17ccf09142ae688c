/** `daycap status`: what the day looks like, read from CSV + journal without taking the lock. */
import { capExceededLine } from '../core/archived-posts.js';
import { STATUSES } from '../core/job.js';
import type { HealthPolicy } from '../core/policy.js';
import { summarize, summarizeDigest, type DayDigest, type LedgerSummary } from '../core/summary.js';

export { summarize, type LedgerSummary } from '../core/summary.js';
import type { LockTiming } from '../ledger/lock/index.js';
import { formatDuration } from '../runner/log.js';
import type { LiveStatus } from '../runner/control-protocol.js';
import type { Ledger, RunnerInfo } from '../store/ledger.js';
import { ledgerAt } from '../store/open.js';
import type { ArchiveCountOptions } from './archived-posts.js';
import { resolveDayCap } from './day-cap.js';
import { validLedgerAt } from './valid-ledger.js';

export interface StatusReport extends LedgerSummary {
  ledger: string;
  exists: boolean;
  /** Who holds the ledger now (a live run), if anyone. */
  heldBy: string | undefined;
  journalRecords: number;
  /** Set when the counts come from the live run (over its control socket), not from the file. */
  live?: { runId: string; pid: number; paused: boolean; startedAt: number } | undefined;
  /** A database ledger: every host's live run (the counts are the database's own, always live). */
  runners?: RunnerInfo[] | undefined;
}

/** A live runner's answer to `status`, as a report: its rows in memory are newer than the file. */
export function liveStatusReport(status: LiveStatus, heldBy: string | undefined): StatusReport {
  const { runId, pid, paused, startedAt, ...summary } = status;
  return { ...summary, exists: true, heldBy, journalRecords: 0, live: { runId, pid, paused, startedAt } };
}

export interface LedgerStatusOptions extends Partial<Omit<ArchiveCountOptions, 'ledger'>>, LockTiming {
  ledger: string;
  /** An explicit cap (flag or configuration file); else the ledger's recorded one, else 1. */
  cap?: number | undefined;
  health?: HealthPolicy | undefined;
}

/** The file's day, with today's archives counted toward the cap (read with the tolerant reader). */
export async function ledgerStatus(options: LedgerStatusOptions): Promise<StatusReport> {
  const now = options.now ?? Date.now();
  const unread = ledgerAt(options.ledger, options);
  const kept = await unread.digest?.();
  if (kept && kept.jobs > 0) return statusFromDigest(unread, kept, now, options);
  const ledger = await validLedgerAt(options.ledger, options);
  const read = await ledger.read();
  const archived = await ledger.archivedPosts({ now, ignoreArchives: options.ignoreArchives, log: options.log });
  const { cap } = await resolveDayCap(ledger, [options.cap], options.log);
  const report = summarize(read.jobs, cap, now, options.health, archived.today);
  if (ledger.kind === 'database') {
    const runners = await ledger.runners();
    return { ledger: ledger.name, exists: read.exists, ...report, heldBy: undefined, journalRecords: 0, runners };
  }
  return { ledger: ledger.name, exists: read.exists, ...report, heldBy: await ledger.holder(), journalRecords: read.pendingRecords };
}

/** A file ledger unchanged since daycap wrote it (no journal open): its kept digest stands for the rows. */
async function statusFromDigest(ledger: Ledger, digest: DayDigest, now: number, options: LedgerStatusOptions): Promise<StatusReport> {
  const archived = await ledger.archivedPosts({ now, ignoreArchives: options.ignoreArchives, log: options.log });
  const { cap } = await resolveDayCap(ledger, [options.cap], options.log);
  const report = summarizeDigest(digest, cap, now, options.health, archived.today);
  return { ledger: ledger.name, exists: true, ...report, heldBy: await ledger.holder(), journalRecords: 0 };
}

export function formatStatus(report: StatusReport, now: number = Date.now()): string {
  const lines: string[] = [];
  const { live, runners } = report;
  if (live) {
    lines.push(`ledger ${report.ledger}: live from run ${live.runId} (pid ${live.pid}), ${live.paused ? 'paused (no new claims)' : 'running'} for ${formatDuration(now - live.startedAt)}`);
  } else if (runners) {
    lines.push(`ledger ${report.ledger}${report.exists ? '' : ' (does not exist yet)'}: ${runners.length === 0 ? 'no run is using it' : `${runners.length} run${runners.length === 1 ? '' : 's'} using it${runners.some((r) => r.paused) ? ', paused (no new claims)' : ''}`}`);
    for (const r of runners) {
      lines.push(`  run ${r.runId} on ${r.host} (pid ${r.pid}): ${r.inFlight} in flight, running for ${formatDuration(now - r.startedAt)}, lease ${formatDuration(Math.max(0, r.leaseUntil - now))} left`);
    }
  } else {
    lines.push(`ledger ${report.ledger}${report.exists ? '' : ' (does not exist yet)'}${report.heldBy ? `: a run is in progress (${report.heldBy})` : ''}`);
  }
  lines.push(`${report.jobs} jobs over ${report.accounts} accounts, cap ${report.cap}/account/day`);
  lines.push(STATUSES.map((s) => `${s} ${report.counts[s]}`).join('  '));
  if (report.unassigned) lines.push(`${report.unassigned} pending jobs have no account and will not be claimed`);
  if (report.failures.length) {
    lines.push('failures by category/type:');
    for (const f of report.failures) lines.push(`  ${f.category}/${f.type}  ${f.count}`);
  }
  if (report.workers.length) {
    lines.push('per worker:');
    for (const w of report.workers) lines.push(`  worker ${w.workerId}  ${Object.entries(w.counts).map(([s, n]) => `${s} ${n}`).join('  ')}`);
  }
  lines.push(`accounts at their cap: ${report.accountsAtCap.length}${report.accountsAtCap.length ? ` (${abbreviate(report.accountsAtCap, 10)})` : ''}`);
  // Older live runs answer without this list.
  for (const over of report.capExceeded ?? []) lines.push(`warning: ${capExceededLine(over)} (today's ledger and archives; the history is kept as it is)`);
  // Older live runs answer without these lists.
  const frozen = report.frozen ?? [];
  const cooling = report.cooling ?? [];
  if (frozen.length) {
    lines.push(`frozen accounts: ${frozen.length} (their jobs stay pending; lift with \`daycap unfreeze --ledger ${report.ledger} --account <name>\`)`);
    for (const f of frozen.slice(0, 20)) lines.push(`  ${f.account}  ${f.reason}`);
    if (frozen.length > 20) lines.push(`  … ${frozen.length - 20} more`);
  }
  if (cooling.length) {
    lines.push(`accounts cooling down: ${cooling.length}`);
    for (const c of cooling.slice(0, 20)) lines.push(`  ${c.account}  until ${new Date(c.until).toISOString()} (in ${formatDuration(c.until - now)})  ${c.reason}`);
    if (cooling.length > 20) lines.push(`  … ${cooling.length - 20} more`);
  }
  if (report.journalRecords) lines.push(`(includes ${report.journalRecords} journal records not yet folded into the CSV)`);
  if (live) lines.push('(the live run\'s own state; the CSV on disk may lag behind it)');
  return lines.join('\n');
}

function abbreviate(names: string[], max: number): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, … ${names.length - max} more`;
}

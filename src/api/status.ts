/** `daycap status`: what the day looks like, read from CSV + journal without taking the lock. */
import { CAPPED_STATUSES, DEFAULT_CAP, STATUSES, zeroCounts, type Job, type StatusCounts } from '../core/job.js';
import { readLockHolder } from '../ledger/lock.js';
import { readLedgerView } from '../ledger/store.js';
import { validateLedger } from '../ledger/validate.js';

export interface StatusReport {
  ledger: string;
  exists: boolean;
  jobs: number;
  counts: StatusCounts;
  /** Pending jobs without an account: never claimed. */
  unassigned: number;
  failures: Array<{ category: string; type: string; count: number }>;
  workers: Array<{ workerId: string; counts: Partial<StatusCounts> }>;
  accounts: number;
  cap: number;
  accountsAtCap: string[];
  /** Who holds the ledger now (a live run), if anyone. */
  heldBy: string | undefined;
  journalRecords: number;
}

export async function ledgerStatus(options: { ledger: string; cap?: number | undefined }): Promise<StatusReport> {
  const check = await validateLedger(options.ledger);
  if (!check.ok) throw check.error;
  const view = await readLedgerView(options.ledger);
  const report = summarize(view.jobs, options.cap ?? DEFAULT_CAP);
  return { ledger: options.ledger, exists: view.exists, ...report, heldBy: await readLockHolder(options.ledger), journalRecords: view.journalRecords };
}

/** Pure: the counts `status` shows, from rows. */
export function summarize(jobs: readonly Job[], cap: number): Omit<StatusReport, 'ledger' | 'exists' | 'heldBy' | 'journalRecords'> {
  const counts = zeroCounts();
  let unassigned = 0;
  const failures = new Map<string, { category: string; type: string; count: number }>();
  const workers = new Map<string, Partial<StatusCounts>>();
  const counted = new Map<string, number>();
  const accounts = new Set<string>();
  for (const job of jobs) {
    counts[job.status] += 1;
    if (!job.account) {
      if (job.status === 'pending') unassigned += 1;
    } else {
      accounts.add(job.account);
      if (CAPPED_STATUSES.has(job.status)) counted.set(job.account, (counted.get(job.account) ?? 0) + 1);
    }
    if ((job.status === 'failed' || job.status === 'retrying') && job.error_category) {
      const key = `${job.error_category}/${job.error_type}`;
      const entry = failures.get(key) ?? { category: job.error_category, type: job.error_type, count: 0 };
      entry.count += 1;
      failures.set(key, entry);
    }
    if (job.worker_id !== '') {
      const entry = workers.get(job.worker_id) ?? {};
      entry[job.status] = (entry[job.status] ?? 0) + 1;
      workers.set(job.worker_id, entry);
    }
  }
  return {
    jobs: jobs.length,
    counts,
    unassigned,
    failures: [...failures.values()].sort((a, b) => b.count - a.count || a.category.localeCompare(b.category)),
    workers: [...workers.entries()].map(([workerId, c]) => ({ workerId, counts: c })).sort((a, b) => Number(a.workerId) - Number(b.workerId) || a.workerId.localeCompare(b.workerId)),
    accounts: accounts.size,
    cap,
    accountsAtCap: [...counted.entries()].filter(([, n]) => n >= cap).map(([account]) => account).sort(),
  };
}

export function formatStatus(report: StatusReport): string {
  const lines: string[] = [];
  lines.push(`ledger ${report.ledger}${report.exists ? '' : ' (does not exist yet)'}${report.heldBy ? `: a run is in progress (${report.heldBy})` : ''}`);
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
  if (report.journalRecords) lines.push(`(includes ${report.journalRecords} journal records not yet folded into the CSV)`);
  return lines.join('\n');
}

function abbreviate(names: string[], max: number): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, … ${names.length - max} more`;
}

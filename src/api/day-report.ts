/**
 * `daycap report`: the day per account and per job — what was posted (with post ids), what failed
 * and why, what is left, and which accounts are frozen or cooling down — as CSV, JSON or Markdown.
 * Building and formatting are pure (rows and clock in, text out); only `ledgerDayReport` reads, and
 * it reads like `status`: CSV plus journal, never the lock.
 */
import { stringify } from 'csv-stringify/sync';

import { coolingAccounts, frozenAccounts } from '../core/health.js';
import { isoTime, type Job, type Status } from '../core/job.js';
import { DEFAULT_HEALTH, type HealthPolicy } from '../core/policy.js';
import type { LockTiming } from '../ledger/lock/index.js';
import { ledgerAt } from '../store/open.js';

export const DAY_REPORT_FORMATS = ['csv', 'json', 'md'] as const;
export type DayReportFormat = (typeof DAY_REPORT_FORMATS)[number];

/** One ledger row as the report shows it; a value the row does not have is null. */
export interface DayReportJob {
  jobId: string;
  account: string;
  status: Status;
  /** The handler's post id (`video_id`), on success rows only: elsewhere that column may hold the campaign's video id. */
  postId: string | null;
  attempts: number;
  maxAttempts: number;
  claimedAt: string | null;
  completedAt: string | null;
  retryAt: string | null;
  errorCategory: string | null;
  errorType: string | null;
  error: string | null;
  videoPath: string | null;
  caption: string | null;
}

/** Jobs not finished yet, by status. */
export interface LeftCounts {
  pending: number;
  claimed: number;
  retrying: number;
  unconfirmed: number;
}

export interface DayReportAccount {
  account: string;
  posted: number;
  failed: number;
  skipped: number;
  left: LeftCounts;
  frozen?: { reason: string; jobId: string; since: string };
  coolingUntil?: string;
  coolingReason?: string;
  /** In ledger order. */
  jobs: DayReportJob[];
}

export interface DayReport {
  ledger: string;
  generatedAt: string;
  /** Journal records of a live or dead run that the CSV does not hold yet; they are in the report. */
  journalRecords: number;
  /** Who held the ledger when it was read (a run in progress), if anyone. */
  heldBy?: string;
  totals: {
    jobs: number;
    accounts: number;
    posted: number;
    failed: number;
    skipped: number;
    left: LeftCounts;
    /** Jobs without an account, which are never claimed. */
    unassigned: number;
    frozen: number;
    cooling: number;
  };
  /** Sorted by name. */
  accounts: DayReportAccount[];
  unassigned: DayReportJob[];
}

export interface BuildDayReportOptions {
  ledger: string;
  /** Epoch ms: the report's time, and the moment cooldowns are judged at. */
  now: number;
  health?: HealthPolicy | undefined;
  journalRecords?: number | undefined;
  heldBy?: string | undefined;
}

// ---- building (pure) ----

export function buildDayReport(jobs: readonly Job[], options: BuildDayReportOptions): DayReport {
  const health = options.health ?? DEFAULT_HEALTH;
  const frozen = new Map(frozenAccounts(jobs, health).map((f) => [f.account, f]));
  const cooling = new Map(coolingAccounts(jobs, options.now).map((c) => [c.account, c]));
  const byAccount = new Map<string, DayReportJob[]>();
  const unassigned: DayReportJob[] = [];
  for (const job of jobs) {
    const row = reportJob(job);
    if (!job.account) unassigned.push(row);
    else {
      const list = byAccount.get(job.account);
      if (list) list.push(row);
      else byAccount.set(job.account, [row]);
    }
  }
  const accounts = [...byAccount.keys()].sort(byCodePoint).map((account): DayReportAccount => {
    const rows = byAccount.get(account)!;
    const counts = countRows(rows);
    const freeze = frozen.get(account);
    const cool = cooling.get(account);
    return {
      account,
      ...counts,
      ...(freeze ? { frozen: { reason: freeze.reason, jobId: freeze.jobId, since: freeze.since } } : {}),
      ...(cool ? { coolingUntil: isoTime(cool.until), coolingReason: cool.reason } : {}),
      jobs: rows,
    };
  });
  const all = countRows([...accounts.flatMap((a) => a.jobs), ...unassigned]);
  return {
    ledger: options.ledger,
    generatedAt: isoTime(options.now),
    journalRecords: options.journalRecords ?? 0,
    ...(options.heldBy ? { heldBy: options.heldBy } : {}),
    totals: {
      jobs: jobs.length,
      accounts: accounts.length,
      ...all,
      unassigned: unassigned.length,
      frozen: accounts.filter((a) => a.frozen).length,
      cooling: accounts.filter((a) => a.coolingUntil !== undefined).length,
    },
    accounts,
    unassigned,
  };
}

function reportJob(job: Readonly<Job>): DayReportJob {
  return {
    jobId: job.job_id,
    account: job.account,
    status: job.status,
    postId: job.status === 'success' ? orNull(job.video_id) : null,
    attempts: job.attempts,
    maxAttempts: job.max_attempts,
    claimedAt: orNull(job.claimed_at),
    completedAt: orNull(job.completed_at),
    retryAt: orNull(job.retry_at),
    errorCategory: orNull(job.error_category),
    errorType: orNull(job.error_type),
    error: orNull(job.error),
    videoPath: orNull(job.video_path),
    caption: orNull(job.caption),
  };
}

function orNull(value: string): string | null {
  return value === '' ? null : value;
}

function countRows(rows: readonly DayReportJob[]): Pick<DayReportAccount, 'posted' | 'failed' | 'skipped' | 'left'> {
  const counts = { posted: 0, failed: 0, skipped: 0, left: { pending: 0, claimed: 0, retrying: 0, unconfirmed: 0 } };
  for (const { status } of rows) {
    if (status === 'success') counts.posted += 1;
    else if (status === 'failed' || status === 'skipped') counts[status] += 1;
    else counts.left[status] += 1;
  }
  return counts;
}

/** Names in a fixed order whatever the locale, so two reports of one ledger compare line by line. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function leftTotal(left: LeftCounts): number {
  return left.pending + left.claimed + left.retrying + left.unconfirmed;
}

// ---- reading (CSV + journal, like status; never the lock) ----

export interface DayReportOptions extends LockTiming {
  ledger: string;
  /** Default DEFAULT_HEALTH: which failures freeze an account. */
  health?: HealthPolicy | undefined;
  /** Default Date.now(). */
  now?: number | undefined;
}

/** Reads the ledger as `status` does and builds its report. Throws the validation error of an unusable ledger. */
export async function ledgerDayReport(options: DayReportOptions): Promise<DayReport> {
  const ledger = ledgerAt(options.ledger, options);
  const check = await ledger.validate();
  if (!check.ok) throw check.error;
  const read = await ledger.read();
  return buildDayReport(read.jobs, {
    ledger: ledger.name,
    now: options.now ?? Date.now(),
    health: options.health,
    journalRecords: read.pendingRecords,
    heldBy: await ledger.holder(),
  });
}

// ---- formatting (pure; every format ends with a newline) ----

export function formatDayReport(report: DayReport, format: DayReportFormat): string {
  switch (format) {
    case 'csv': return dayReportCsv(report);
    case 'json': return dayReportJson(report);
    case 'md': return dayReportMarkdown(report);
  }
}

/**
 * A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return,
 * which some strip first) as a formula, so a caption or an error message could run one on the
 * reader's machine. A leading `'` makes any of them plain text (OWASP, "CSV Injection").
 */
export function guardFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export const DAY_REPORT_CSV_COLUMNS = [
  'job_id', 'account', 'status', 'post_id', 'attempts', 'max_attempts', 'claimed_at', 'completed_at', 'retry_at',
  'error_category', 'error_type', 'error', 'account_frozen', 'account_cooldown_until', 'video_path', 'caption',
] as const;

/**
 * One row per job, accounts in name order, then jobs without an account. `account_frozen` holds the
 * reason (empty when the account is not frozen). Captions come last: long, multi-line text would
 * push the short columns off screen in a spreadsheet.
 */
export function dayReportCsv(report: DayReport): string {
  const rows: string[][] = [];
  for (const account of report.accounts) {
    for (const job of account.jobs) rows.push(csvRow(job, account.frozen?.reason ?? '', account.coolingUntil ?? ''));
  }
  for (const job of report.unassigned) rows.push(csvRow(job, '', ''));
  return stringify(rows.map((row) => row.map(guardFormula)), {
    header: true,
    columns: [...DAY_REPORT_CSV_COLUMNS],
    record_delimiter: 'unix',
    // As the ledger does: spreadsheets and many readers trim unquoted leading or trailing spaces.
    quoted_match: [/^\s/, /\s$/],
  });
}

function csvRow(job: DayReportJob, frozen: string, coolingUntil: string): string[] {
  return [
    job.jobId, job.account, job.status, job.postId ?? '', String(job.attempts), String(job.maxAttempts), job.claimedAt ?? '', job.completedAt ?? '', job.retryAt ?? '',
    job.errorCategory ?? '', job.errorType ?? '', job.error ?? '', frozen, coolingUntil, job.videoPath ?? '', job.caption ?? '',
  ];
}

/** Keys in the order the report types declare them, whatever the ledger's column order. */
export function dayReportJson(report: DayReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** A summary table of accounts, then failures with their reasons, jobs that may have posted, and posted jobs with post ids. */
export function dayReportMarkdown(report: DayReport): string {
  const lines: string[] = [`# daycap report: ${mdText(report.ledger)}`, '', ...preamble(report), '', '## Accounts', ''];
  lines.push(...mdTable(['account', 'posted', 'failed', 'skipped', 'left', 'health'], report.accounts.map((a) => [
    a.account, String(a.posted), String(a.failed), String(a.skipped), leftCell(a.left), healthCell(a),
  ])));
  if (report.accounts.length === 0) lines.push('No jobs have an account.');
  if (report.unassigned.length) lines.push('', `${jobCount(report.unassigned.length)} without an account (never claimed): ${report.unassigned.map((j) => mdText(j.jobId)).join(', ')}.`);
  const jobs = [...report.accounts.flatMap((a) => a.jobs), ...report.unassigned];
  const failures = jobs.filter((j) => j.status === 'failed' || j.status === 'retrying');
  lines.push('', '## Failures', '');
  if (failures.length === 0) lines.push('None.');
  else lines.push(...mdTable(['job', 'account', 'status', 'attempts', 'at', 'reason'], failures.map((j) => [
    j.jobId, j.account, j.status === 'retrying' && j.retryAt ? `retrying at ${j.retryAt}` : j.status, attemptsCell(j), j.completedAt ?? '', reasonOf(j),
  ])));
  const unsure = jobs.filter((j) => j.status === 'unconfirmed');
  if (unsure.length) {
    lines.push('', '## Unconfirmed', '', 'Cut off mid-post: these may have posted. Check the platform before releasing them.', '');
    lines.push(...mdTable(['job', 'account', 'claimed at', 'attempts'], unsure.map((j) => [j.jobId, j.account, j.claimedAt ?? '', attemptsCell(j)])));
  }
  const posted = jobs.filter((j) => j.status === 'success');
  lines.push('', '## Posted', '');
  if (posted.length === 0) lines.push('Nothing yet.');
  else lines.push(...mdTable(['job', 'account', 'post id', 'posted at', 'attempts', 'video', 'caption'], posted.map((j) => [
    j.jobId, j.account, j.postId ?? '', j.completedAt ?? '', attemptsCell(j), j.videoPath ?? '', j.caption ?? '',
  ])));
  return `${lines.join('\n')}\n`;
}

function preamble(report: DayReport): string[] {
  const t = report.totals;
  const lines = [
    `Generated ${report.generatedAt}. ${jobCount(t.jobs)} over ${t.accounts} account${t.accounts === 1 ? '' : 's'}: ${t.posted} posted, ${t.failed} failed, ${t.skipped} skipped, ${leftTotal(t.left)} left.` +
      ` Accounts frozen: ${t.frozen}, cooling down: ${t.cooling}.`,
  ];
  if (report.heldBy) lines.push('', `A run is in progress (${mdText(report.heldBy)}): this is the day as of its last durable change.`);
  if (report.journalRecords) lines.push('', `Includes ${report.journalRecords} journal record${report.journalRecords === 1 ? '' : 's'} not yet folded into the CSV.`);
  return lines;
}

function jobCount(n: number): string {
  return `${n} job${n === 1 ? '' : 's'}`;
}

function leftCell(left: LeftCounts): string {
  const total = leftTotal(left);
  if (total === 0) return '0';
  const parts = (Object.keys(left) as Array<keyof LeftCounts>).filter((s) => left[s] > 0).map((s) => `${left[s]} ${s}`);
  return `${total} (${parts.join(', ')})`;
}

function healthCell(account: DayReportAccount): string {
  const notes: string[] = [];
  if (account.frozen) notes.push(`frozen since ${account.frozen.since}: ${account.frozen.reason}`);
  if (account.coolingUntil) notes.push(`cooling down until ${account.coolingUntil}: ${account.coolingReason ?? ''}`);
  return notes.length ? notes.join('; ') : 'ok';
}

function attemptsCell(job: DayReportJob): string {
  return `${job.attempts}/${job.maxAttempts}`;
}

function reasonOf(job: DayReportJob): string {
  const kind = [job.errorCategory, job.errorType].filter(Boolean).join('/');
  return kind && job.error ? `${kind}: ${job.error}` : kind || job.error || '';
}

function mdTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const line = (cells: readonly string[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)];
}

/**
 * A table cell is one line, ended by `|`: backslashes and pipes are escaped (a trailing `\` would
 * otherwise escape the cell's closing pipe), and line breaks become `<br>`.
 */
export function mdCell(text: string): string {
  return mdText(text).replaceAll('|', '\\|');
}

function mdText(text: string): string {
  return text.replaceAll('\\', '\\\\').replace(/\r\n|\r|\n/g, '<br>');
}

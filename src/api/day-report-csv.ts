/** The day report as CSV: one row per job, safe to open in a spreadsheet. */
import { stringify } from 'csv-stringify/sync';

import type { DayReport, DayReportJob } from './day-report-build.js';

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

/**
 * `daycap report`: the day per account and per job, as CSV, JSON or Markdown. Building
 * (day-report-build.ts) and formatting (day-report-csv.ts, day-report-md.ts) are pure; only
 * `ledgerDayReport` reads, and it reads like `status`: CSV plus journal, never the lock.
 */
import type { HealthPolicy } from '../core/policy.js';
import type { LockTiming } from '../ledger/lock/index.js';
import { buildDayReport, type DayReport } from './day-report-build.js';
import { dayReportCsv } from './day-report-csv.js';
import { dayReportMarkdown } from './day-report-md.js';
import { validLedgerAt } from './valid-ledger.js';

export {
  buildDayReport, type BuildDayReportOptions, type DayReport, type DayReportAccount, type DayReportJob, type LeftCounts,
} from './day-report-build.js';
export { DAY_REPORT_CSV_COLUMNS, dayReportCsv, guardFormula } from './day-report-csv.js';
export { dayReportMarkdown, mdCell } from './day-report-md.js';

export const DAY_REPORT_FORMATS = ['csv', 'json', 'md'] as const;
export type DayReportFormat = (typeof DAY_REPORT_FORMATS)[number];

export interface DayReportOptions extends LockTiming {
  ledger: string;
  /** Default DEFAULT_HEALTH: which failures freeze an account. */
  health?: HealthPolicy | undefined;
  /** Default Date.now(). */
  now?: number | undefined;
}

/** Reads the ledger as `status` does and builds its report. Throws the validation error of an unusable ledger. */
export async function ledgerDayReport(options: DayReportOptions): Promise<DayReport> {
  const ledger = await validLedgerAt(options.ledger, options);
  const read = await ledger.read();
  return buildDayReport(read.jobs, {
    ledger: ledger.name,
    now: options.now ?? Date.now(),
    health: options.health,
    journalRecords: read.pendingRecords,
    heldBy: await ledger.holder(),
  });
}

/** Every format ends with a newline. */
export function formatDayReport(report: DayReport, format: DayReportFormat): string {
  switch (format) {
    case 'csv': return dayReportCsv(report);
    case 'json': return dayReportJson(report);
    case 'md': return dayReportMarkdown(report);
  }
}

/** Keys in the order the report types declare them, whatever the ledger's column order. */
export function dayReportJson(report: DayReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * `daycap report`: the day's report per account and per job, as Markdown, CSV or JSON. Read-only
 * like `status` (CSV plus journal, never the lock), so it works beside a live run. Not to be
 * confused with ../report.ts, which turns errors into messages.
 */
import { stat } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { Command, Option } from 'commander';
import { DAY_REPORT_FORMATS, formatDayReport, ledgerDayReport, type DayReportFormat } from '../../api/day-report.js';
import { DaycapError, StorageError, UsageError } from '../../errors.js';
import { writeFileAtomic } from '../../ledger/atomic.js';
import type { CommandContext } from '../context.js';
import { plural } from '../format.js';
import { ledgerAt } from '../../store/open.js';
import { lockStaleMs } from '../lock-stale.js';
import { ledgerOption } from '../options.js';

interface ReportFlags {
  ledger: string;
  format?: DayReportFormat;
  out?: string;
}

export function reportCommand(ctx: CommandContext): Command {
  return new Command('report')
    .summary("write the day's report: posts, failures and account health")
    .description(
      'per account and per job: what was posted (post ids), what failed and why, attempts and times, what is left, and which accounts are frozen or cooling down. ' +
        'Read-only: works beside a live run (it reads the CSV plus the run\'s journal, or the database ledger as it is) and never takes the lock',
    )
    .addOption(ledgerOption())
    .addOption(new Option('--format <format>', "md (a readable summary), csv (one row per job, for a spreadsheet) or json (default: from --out's extension .md, .csv or .json, else md)").choices(DAY_REPORT_FORMATS))
    .option('--out <file>', 'write the report to this file (replaced atomically; never the ledger) instead of stdout')
    .addHelpText('after', [
      '',
      'Examples:',
      '  daycap report --ledger progress.csv',
      '  daycap report --ledger progress.csv --out report_20251214.csv',
      '  daycap report --ledger progress.csv --format json | jq \'.accounts[] | select(.frozen)\'',
      '',
      'CSV cells that start with = + - @, a tab or a carriage return get a leading \' so a spreadsheet',
      'shows them as text instead of running them as formulas; the ledger itself is never changed.',
    ].join('\n'))
    .action(async (flags: ReportFlags) => {
      const staleMs = lockStaleMs();
      await ledgerAt(flags.ledger).requireExisting();
      const format = flags.format ?? formatOfPath(flags.out) ?? 'md';
      if (flags.out !== undefined) await checkOutPath(flags.out, flags.ledger);
      const report = await ledgerDayReport({ ledger: flags.ledger, staleMs });
      const text = formatDayReport(report, format);
      if (flags.out === undefined) {
        ctx.io.out(text.replace(/\n$/, ''));
      } else {
        await writeReport(flags.out, text);
        ctx.io.out(`wrote ${format} report of ${plural(report.totals.jobs, 'job')} over ${plural(report.totals.accounts, 'account')} to ${flags.out}`);
      }
      ctx.setExitCode(0);
    });
}

function formatOfPath(path: string | undefined): DayReportFormat | undefined {
  const ext = path === undefined ? '' : extname(path).slice(1).toLowerCase();
  if (ext === 'markdown') return 'md';
  return (DAY_REPORT_FORMATS as readonly string[]).includes(ext) ? (ext as DayReportFormat) : undefined;
}

/**
 * The report must never replace the ledger (a slip such as `--out progress.csv` would lose the
 * day's history) nor anything in its state folder; a missing folder is said plainly, before any reading.
 */
async function checkOutPath(out: string, ledger: string): Promise<void> {
  const owned = await ledgerAt(ledger).ownsFile(out);
  if (owned === 'ledger') {
    throw new UsageError(`--out ${out} is the ledger itself; the report never replaces the ledger`, 'Give the report its own file name, e.g. --out report.md.');
  }
  if (owned === 'state') {
    throw new UsageError(`--out ${out} is inside the ledger's state folder, which only daycap writes`, 'Write the report beside the ledger instead.');
  }
  const outInfo = await stat(out).catch(() => undefined);
  if (outInfo?.isDirectory()) throw new UsageError(`--out ${out} is a folder; give the report's file name`);
  const folder = await stat(dirname(out)).catch(() => undefined);
  if (!folder?.isDirectory()) throw new UsageError(`the folder of --out ${out} (${dirname(out)}) does not exist`, 'Check the path, or create the folder first.');
}

/** The atomic write's own hint speaks of the ledger; here the ledger was only read. */
async function writeReport(out: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(out, text);
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    throw new DaycapError('REPORT_WRITE_FAILED', error.message, { cause: error, exitCode: 5, hint: 'Check the path, its permissions and the disk. The ledger was only read and is unchanged.' });
  }
}

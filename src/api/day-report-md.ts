/** The day report as Markdown: a table of accounts, then failures, jobs that may have posted, and posts. */
import { leftTotal, type DayReport, type DayReportAccount, type DayReportJob, type LeftCounts } from './day-report-build.js';

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

// The day report built from rows; read from a ledger (with its journal) and printed, it is test/cli/day-report.test.ts.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';

import {
  DAY_REPORT_CSV_COLUMNS, buildDayReport, dayReportCsv, dayReportJson, dayReportMarkdown, guardFormula, mdCell, type DayReport,
} from '../../src/api/day-report.js';
import { newJob, type Job } from '../../src/core/job.js';
import { DEFAULT_HEALTH } from '../../src/core/policy.js';

const NOW = Date.parse('2025-12-14T12:00:00.000Z');
const FORMULA = '=HYPERLINK("http://evil.example","click")';
const CAPTIONS = {
  comma: 'Sunday, slow, sunny',
  quotes: 'She said "wow" and \'left\'',
  lines: 'line one\nline two\r\nline three',
  emoji: 'first snow 🐶❄️ 👩‍👩‍👧',
  dash: '- new drop today',
};

/** A small day: each status, a frozen account, an account cooling down and one whose cooldown is over. */
function day(): Job[] {
  const done = { claimed_at: '2025-12-14T08:00:00.000Z', completed_at: '2025-12-14T08:00:03.000Z', attempts: 1, worker_id: '0', run_id: 'r1' };
  return [
    newJob({ job_id: 'ok-1', account: 'zed', status: 'success', video_id: 'post-111', video_path: 'v/a.mp4', caption: CAPTIONS.comma, ...done }),
    newJob({ job_id: 'ok-2', account: 'amy', status: 'success', video_id: 'post-222', video_path: 'v/b.mp4', caption: CAPTIONS.emoji, ...done }),
    newJob({ job_id: 'ok-3', account: 'amy', status: 'success', video_id: 'post|333', video_path: 'v/c.mp4', caption: CAPTIONS.lines, ...done }),
    newJob({
      job_id: 'bad-1', account: 'bob', status: 'failed', video_id: 'campaign-vid-9', video_path: 'v/d.mp4', caption: CAPTIONS.quotes, ...done,
      error: FORMULA, error_category: 'unknown', error_type: 'unknown', attempts: 3,
    }),
    newJob({
      job_id: 'susp-1', account: 'cat', status: 'failed', video_path: 'v/e.mp4', caption: CAPTIONS.dash, ...done,
      error: 'Your account | has been suspended', error_category: 'account', error_type: 'suspended',
    }),
    newJob({ job_id: 'wait-1', account: 'cat', status: 'pending', video_path: 'v/f.mp4', caption: 'later' }),
    newJob({
      job_id: 'slow-1', account: 'dan', status: 'retrying', video_path: 'v/g.mp4', caption: '@everyone look', ...done,
      error: 'rate limited', error_category: 'account', error_type: 'rate_limited', retry_at: '2025-12-14T13:00:00.000Z',
      extra: { cooldown_until: '2025-12-14T13:00:00.000Z' },
    }),
    newJob({
      job_id: 'old-1', account: 'eve', status: 'skipped', video_path: 'v/h.mp4', caption: '+1 for this', ...done,
      extra: { cooldown_until: '2025-12-14T09:00:00.000Z' },
    }),
    newJob({ job_id: 'cut-1', account: 'eve', status: 'unconfirmed', video_path: 'v/i.mp4', caption: '\tindented', claimed_at: '2025-12-14T10:00:00.000Z', attempts: 1 }),
    newJob({ job_id: 'orphan-1', status: 'pending', video_path: 'v/j.mp4', caption: 'nobody' }),
  ];
}

function report(jobs = day()): DayReport {
  return buildDayReport(jobs, { ledger: 'progress.csv', now: NOW });
}

describe('guardFormula', () => {
  it.each(['=', '+', '-', '@', '\t', '\r'])('prefixes a cell starting with %j with a single quote', (lead) => {
    expect(guardFormula(`${lead}1+1`)).toBe(`'${lead}1+1`);
    expect(guardFormula(lead)).toBe(`'${lead}`);
  });

  it.each(['', 'plain', '1+1', ' =1+1', "'=already", '\n=1', '(1)', '🐶=', 'a=b', '#tag'])('leaves %j as it is', (cell) => {
    expect(guardFormula(cell)).toBe(cell);
  });
});

describe('buildDayReport', () => {
  it('counts per account and in total, with accounts in name order and jobs in ledger order', () => {
    const r = report();
    expect(r.accounts.map((a) => a.account)).toEqual(['amy', 'bob', 'cat', 'dan', 'eve', 'zed']);
    expect(r.accounts.find((a) => a.account === 'amy')!.jobs.map((j) => j.jobId)).toEqual(['ok-2', 'ok-3']);
    expect(r.totals).toEqual({
      jobs: 10, accounts: 6, posted: 3, failed: 2, skipped: 1, left: { pending: 2, claimed: 0, retrying: 1, unconfirmed: 1 }, unassigned: 1, frozen: 1, cooling: 1,
    });
    expect(r.unassigned.map((j) => j.jobId)).toEqual(['orphan-1']);
    expect(r.generatedAt).toBe('2025-12-14T12:00:00.000Z');
  });

  it('takes post ids from video_id on success rows only', () => {
    const jobs = report().accounts.flatMap((a) => a.jobs);
    expect(jobs.find((j) => j.jobId === 'ok-1')!.postId).toBe('post-111');
    expect(jobs.find((j) => j.jobId === 'bad-1')!.postId).toBeNull();
  });

  it('marks frozen accounts with the row that froze them, and accounts still cooling down', () => {
    const r = report();
    const cat = r.accounts.find((a) => a.account === 'cat')!;
    expect(cat.frozen).toEqual({ reason: 'account/suspended: Your account | has been suspended (job susp-1)', jobId: 'susp-1', since: '2025-12-14T08:00:03.000Z' });
    const dan = r.accounts.find((a) => a.account === 'dan')!;
    expect(dan.frozen).toBeUndefined();
    expect(dan.coolingUntil).toBe('2025-12-14T13:00:00.000Z');
    // eve's cooldown ended before `now`.
    expect(r.accounts.find((a) => a.account === 'eve')!.coolingUntil).toBeUndefined();
    expect(buildDayReport(day(), { ledger: 'p.csv', now: Date.parse('2025-12-14T14:00:00.000Z') }).totals.cooling).toBe(0);
  });

  it('applies the health policy it is given', () => {
    const r = buildDayReport(day(), { ledger: 'p.csv', now: NOW, health: { ...DEFAULT_HEALTH, freezeCategories: ['unknown'] } });
    expect(r.accounts.filter((a) => a.frozen).map((a) => a.account)).toEqual(['bob']);
  });
});

describe('dayReportCsv', () => {
  const rows = () => parse(dayReportCsv(report()), { columns: true }) as Array<Record<string, string>>;

  it('has one row per job with the documented columns, accounts in name order, then jobs without an account', () => {
    const text = dayReportCsv(report());
    expect(text.split('\n')[0]).toBe(DAY_REPORT_CSV_COLUMNS.join(','));
    expect(rows().map((r) => r['job_id'])).toEqual(['ok-2', 'ok-3', 'bad-1', 'susp-1', 'wait-1', 'slow-1', 'old-1', 'cut-1', 'ok-1', 'orphan-1']);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('keeps captions with commas, quotes, line breaks and emoji whole', () => {
    const byId = new Map(rows().map((r) => [r['job_id'], r]));
    expect(byId.get('ok-1')!['caption']).toBe(CAPTIONS.comma);
    expect(byId.get('bad-1')!['caption']).toBe(CAPTIONS.quotes);
    expect(byId.get('ok-3')!['caption']).toBe(CAPTIONS.lines);
    expect(byId.get('ok-2')!['caption']).toBe(CAPTIONS.emoji);
    expect(byId.get('ok-3')!['post_id']).toBe('post|333');
  });

  it('guards formula-looking cells, and only those', () => {
    const byId = new Map(rows().map((r) => [r['job_id'], r]));
    expect(byId.get('bad-1')!['error']).toBe(`'${FORMULA}`);
    expect(byId.get('susp-1')!['caption']).toBe(`'${CAPTIONS.dash}`);
    expect(byId.get('slow-1')!['caption']).toBe("'@everyone look");
    expect(byId.get('old-1')!['caption']).toBe("'+1 for this");
    expect(byId.get('cut-1')!['caption']).toBe("'\tindented");
    for (const row of rows()) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('carries account health on every job of the account', () => {
    const byId = new Map(rows().map((r) => [r['job_id'], r]));
    expect(byId.get('wait-1')!['account_frozen']).toBe('account/suspended: Your account | has been suspended (job susp-1)');
    expect(byId.get('slow-1')!['account_cooldown_until']).toBe('2025-12-14T13:00:00.000Z');
    expect(byId.get('ok-1')!['account_frozen']).toBe('');
    expect(byId.get('slow-1')!['status']).toBe('retrying');
    expect(byId.get('slow-1')!['retry_at']).toBe('2025-12-14T13:00:00.000Z');
    expect(byId.get('bad-1')!).toMatchObject({ attempts: '3', max_attempts: '3', error_category: 'unknown', error_type: 'unknown', post_id: '' });
  });
});

describe('dayReportJson', () => {
  it('has a stable key order and keeps text as it is (no formula guard)', () => {
    const text = dayReportJson(report());
    expect(text).toBe(dayReportJson(report()));
    const parsed = JSON.parse(text) as DayReport;
    expect(Object.keys(parsed)).toEqual(['ledger', 'generatedAt', 'journalRecords', 'totals', 'accounts', 'unassigned']);
    expect(Object.keys(parsed.accounts.find((a) => a.account === 'cat')!)).toEqual(['account', 'posted', 'failed', 'skipped', 'left', 'frozen', 'jobs']);
    expect(Object.keys(parsed.accounts.find((a) => a.account === 'dan')!)).toEqual(['account', 'posted', 'failed', 'skipped', 'left', 'coolingUntil', 'coolingReason', 'jobs']);
    expect(Object.keys(parsed.accounts[0]!.jobs[0]!)).toEqual([
      'jobId', 'account', 'status', 'postId', 'attempts', 'maxAttempts', 'claimedAt', 'completedAt', 'retryAt', 'errorCategory', 'errorType', 'error', 'videoPath', 'caption',
    ]);
    const jobs = parsed.accounts.flatMap((a) => a.jobs);
    expect(jobs.find((j) => j.jobId === 'bad-1')!.error).toBe(FORMULA);
    expect(jobs.find((j) => j.jobId === 'ok-3')!.caption).toBe(CAPTIONS.lines);
    expect(jobs.find((j) => j.jobId === 'ok-2')!.caption).toBe(CAPTIONS.emoji);
  });

  it('does not depend on the order of the ledger rows across accounts', () => {
    const jobs = day();
    const shuffled = [jobs[3]!, jobs[0]!, jobs[1]!, jobs[2]!, ...jobs.slice(4)];
    expect(dayReportJson(report(shuffled))).toBe(dayReportJson(report(jobs)));
  });
});

describe('dayReportMarkdown', () => {
  /** Pipes that end cells: not escaped by a backslash (an escaped backslash does not count). */
  const cellBreaks = (line: string) => line.replace(/\\./g, '').split('|').length - 1;

  it('has an account table, then failures with reasons, unconfirmed jobs, then posts with post ids', () => {
    const md = dayReportMarkdown(report());
    const sections = ['## Accounts', '## Failures', '## Unconfirmed', '## Posted'].map((h) => md.indexOf(h));
    expect(sections.every((at) => at > 0)).toBe(true);
    expect([...sections].sort((a, b) => a - b)).toEqual(sections);
    expect(md).toContain('| cat | 0 | 1 | 0 | 1 (1 pending) | frozen since 2025-12-14T08:00:03.000Z: account/suspended: Your account \\| has been suspended (job susp-1) |');
    expect(md).toContain('| dan | 0 | 0 | 0 | 1 (1 retrying) | cooling down until 2025-12-14T13:00:00.000Z: rate_limited: rate limited (job slow-1) |');
    expect(md).toContain(`| bad-1 | bob | failed | 3/3 | 2025-12-14T08:00:03.000Z | unknown/unknown: ${FORMULA} |`);
    expect(md).toContain('| slow-1 | dan | retrying at 2025-12-14T13:00:00.000Z | 1/3 |');
    expect(md).toContain('| cut-1 | eve | 2025-12-14T10:00:00.000Z | 1/3 |');
    expect(md).toContain(`| ok-2 | amy | post-222 | 2025-12-14T08:00:03.000Z | 1/3 | v/b.mp4 | ${CAPTIONS.emoji} |`);
    expect(md).toContain('| ok-3 | amy | post\\|333 | 2025-12-14T08:00:03.000Z | 1/3 | v/c.mp4 | line one<br>line two<br>line three |');
    expect(md).toContain('1 job without an account (never claimed): orphan-1.');
    expect(md.indexOf('| ok-1 |', md.indexOf('## Posted'))).toBeGreaterThan(0);
  });

  it('keeps every table row on one line with the header\'s number of cells', () => {
    const md = dayReportMarkdown(report());
    const tables = md.split(/\n\n/).filter((block) => block.startsWith('|'));
    expect(tables.length).toBe(4);
    for (const table of tables) {
      const lines = table.trimEnd().split('\n');
      for (const line of lines) expect(cellBreaks(line)).toBe(cellBreaks(lines[0]!));
    }
  });

  it('says so when nothing failed or posted', () => {
    const md = dayReportMarkdown(report([newJob({ job_id: 'p', account: 'a' })]));
    expect(md).toContain('## Failures\n\nNone.');
    expect(md).toContain('## Posted\n\nNothing yet.');
    expect(md).not.toContain('## Unconfirmed');
  });

  it('escapes pipes, backslashes and line breaks in cells', () => {
    expect(mdCell('a|b')).toBe('a\\|b');
    expect(mdCell('a\nb\r\nc\rd')).toBe('a<br>b<br>c<br>d');
    expect(mdCell('ends in \\')).toBe('ends in \\\\');
    expect(mdCell('🐶, "x"')).toBe('🐶, "x"');
  });
});

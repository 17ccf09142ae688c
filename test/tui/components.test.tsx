import { Box } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { isoTime, newJob, type Job } from '../../src/core/job.js';
import { DEFAULT_PACING, type PacingPolicy } from '../../src/core/policy.js';
import { AccountsLine } from '../../src/tui/components/AccountsLine.js';
import { AccountsView } from '../../src/tui/components/AccountsView.js';
import { Counts } from '../../src/tui/components/Counts.js';
import { Events } from '../../src/tui/components/Events.js';
import { FinalSummary } from '../../src/tui/components/FinalSummary.js';
import { Header } from '../../src/tui/components/Header.js';
import { KeyHelp } from '../../src/tui/components/KeyHelp.js';
import { ProgressBar } from '../../src/tui/components/ProgressBar.js';
import { RecentFailures } from '../../src/tui/components/RecentFailures.js';
import { RunRules } from '../../src/tui/components/RunRules.js';
import { Workers } from '../../src/tui/components/Workers.js';
import { RunView } from '../../src/tui/model.js';
import { width as textWidth } from '../../src/tui/text.js';
import { dayJobs, lines, plain, Scenario, T0 } from './scenario.js';

afterEach(cleanup);

function draw(tree: ReactElement, columns = 80): string[] {
  const r = render(<Box width={columns} flexDirection="column">{tree}</Box>);
  return lines(r.lastFrame());
}

function viewOf(s: Scenario): RunView {
  const view = new RunView();
  s.events.onAny((event) => view.apply(event));
  return view;
}

const long = (what: string) => `${what}-${'x'.repeat(200 - what.length - 1)}`;

describe('components at a given width', () => {
  it('Header: ledger, run, workers, cap, elapsed and ETA; a long ledger name is cut', () => {
    const s = new Scenario(dayJobs(3), { workers: 5 });
    const view = viewOf(s);
    s.start();
    s.advance(4_329_000);
    expect(plain(draw(<Header view={view} now={s.clock} width={120} />, 120).join('\n'))).toMatch(
      /^ daycap  progress\.csv · run 7f3c0a · 5 workers · cap 1\/account\/day\s+elapsed 1:12:09 · ETA –$/m,
    );
    const s2 = new Scenario(dayJobs(3), { ledger: `/x/${long('ledger')}.csv` });
    const v2 = viewOf(s2);
    s2.start();
    const out = draw(<Header view={v2} now={s2.clock} width={80} />);
    expect(out[0]).toMatch(/ledger-x+… · .*elapsed 0:00/);
    expect(Math.max(...out.map(textWidth))).toBeLessThanOrEqual(80);
  });

  it('ProgressBar and Counts: done/total, the bar, every status, and the rate; big numbers still fit 80 columns', () => {
    const s = new Scenario(dayJobs(4), { workers: 2 });
    const view = viewOf(s);
    s.start();
    s.succeed(s.claim(0), 0);
    s.claim(1);
    const bar = draw(<ProgressBar view={view} now={s.clock} width={80} />)[0]!;
    expect(bar).toMatch(/^ █+░+  1\/4 25%$/);
    expect(textWidth(bar)).toBeLessThanOrEqual(80);
    const counts = draw(<Counts view={view} now={s.clock} width={120} />, 120)[0]!;
    // One job posted in the run's first second: a rate already (not "0 jobs/min").
    expect(counts).toMatch(/✔ 1 success\s+✖ 0 failed\s+↻ 0 retrying\s+▶ 1 claimed\s+\? 0 unconfirmed\s+· 2 pending\s+60 jobs\/min [▁-█]/);
    // A day of 100,000 jobs at 80 columns: the labels go before anything is cut.
    const big = { pending: 41_234, claimed: 4, success: 52_001, retrying: 1_200, failed: 5_561, skipped: 0, unconfirmed: 0 };
    s.events.emit('external-edit', { merged: 0, refused: 0, message: 'a bigger day', counts: big, jobs: 100_000, at: s.clock });
    const tight = draw(<Counts view={view} now={s.clock} width={80} />)[0]!;
    expect(textWidth(tight)).toBeLessThanOrEqual(80);
    expect(tight).toContain('52001');
    expect(tight).toContain('41234');
    expect(tight).not.toContain('…');
  });

  it('ProgressBar: jobs without an account and jobs held by the cap are not done, and are counted apart', () => {
    const s = new Scenario([...dayJobs(3, 2), newJob({ job_id: 'orphan-1' }), newJob({ job_id: 'orphan-2' })], { workers: 3 });
    const view = viewOf(s);
    s.start();
    for (let w = 0; w < 3; w++) s.succeed(s.claim(w), w);
    expect(() => s.claim(0)).toThrow('nothing to claim');
    s.idle(0);
    const bar = draw(<ProgressBar view={view} now={s.clock} width={80} />)[0]!;
    expect(bar).toMatch(/^ █+░+  3\/8 37% · 2 unassigned · 3 held by cap$/);
    expect(textWidth(bar)).toBeLessThanOrEqual(80);
    // Stopping, with what asked for it; the words give way before the bar does.
    s.events.emit('stopping', { reason: 'Ctrl-C', graceMs: 30_000, at: s.clock });
    const stopping = draw(<ProgressBar view={view} now={s.clock} width={80} />)[0]!;
    expect(stopping).toMatch(/^ █+░+  3\/8 37% · 2 unassigned · 3 held by cap +STOPPING \(Ctrl-C\) ?$/);
    const narrow = draw(<ProgressBar view={view} now={s.clock} width={60} />, 60)[0]!;
    expect(narrow).toMatch(/^ █+░+  3\/8 37% · 2 unassigned · 3 at cap +STOPPING ?$/);
    expect(textWidth(narrow)).toBeLessThanOrEqual(60);
    const narrower = draw(<ProgressBar view={view} now={s.clock} width={50} />, 50)[0]!;
    expect(narrower).toMatch(/^ █+░+  3\/8 37% +STOPPING \(Ctrl-C\) ?$/);
    const wide = draw(<ProgressBar view={view} now={s.clock} width={140} />, 140)[0]!;
    expect(wide).toContain('STOPPING (Ctrl-C): waiting for jobs in flight');
  });

  it('Counts: jobs per second once the rate is high', () => {
    const s = new Scenario(dayJobs(2000), { workers: 4 });
    const view = viewOf(s);
    s.start();
    for (let i = 0; i < 2000; i++) {
      if (i % 100 === 0) s.advance(100);
      s.succeed(s.claim(i % 4), i % 4);
    }
    // 2,000 jobs in two seconds.
    expect(draw(<Counts view={view} now={s.clock} width={120} />, 120)[0]).toMatch(/1000 jobs\/s [▁-█]/);
    expect(draw(<Counts view={view} now={s.clock} width={40} />, 40)[0]).toMatch(/1000\/s$/);
  });

  it('Workers: a row per worker with account, video and time on the job, or why it is idle', () => {
    const jobs = [newJob({ job_id: 'j0', account: 'quickcutspod', video_path: 'chunk_01c/2bears/DMNmeE-oIXY-1.mp4' }), newJob({ job_id: 'j1', account: long('account'), video_path: `v/${long('video')}.mp4` })];
    const s = new Scenario(jobs, { workers: 3 });
    const view = viewOf(s);
    s.start();
    s.claim(0);
    s.claim(1);
    s.idle(2);
    s.advance(42_000);
    const out = draw(<Workers view={view} now={s.clock} width={80} maxRows={10} />);
    expect(out[0]).toMatch(/^ WORKERS\s+2 busy · 1 idle/);
    expect(out[1]).toMatch(/^ {2}#0\s+quickcutspod\s+DMNmeE-oIXY-1\.mp4\s+0:42/);
    expect(out[2]).toMatch(/^ {2}#1\s+account-x+…\s+video-x+…\s+0:42$/);
    // Both accounts are in flight with nothing else due: there is nothing left to claim.
    expect(out[3]).toMatch(/^ {2}#2\s+idle: nothing left to claim$/);
    expect(Math.max(...out.map(textWidth))).toBeLessThanOrEqual(80);
  });

  it('RecentFailures, Events and AccountsLine: cut long accounts and messages to the width', () => {
    const s = new Scenario([newJob({ job_id: 'j0', account: long('podreelsector') }), ...dayJobs(2)], { workers: 2 });
    const view = viewOf(s);
    s.start();
    s.fail(s.claim(0), 0, long('Your account has been suspended'));
    s.fail(s.claim(1), 1, 'connection timed out');
    s.events.emit('external-edit', { merged: 2, refused: 0, message: long('merged'), counts: s.tracker.statusCounts(), jobs: s.tracker.size, at: s.clock });
    for (const w of [80, 60]) {
      const failures = draw(<RecentFailures view={view} now={s.clock} width={w} maxRows={5} />, w);
      expect(failures[0]).toMatch(/RECENT FAILURES\s+2 this run/);
      expect(failures.join('\n')).toMatch(/podreel\S*…\s+account\/susp\S*\s+not retried\s+"Your[^"]*…"/);
      expect(failures.join('\n')).toMatch(/account\S*\s+infrastructur\S*\s+retry in 5:00 \(2\/3\)/);
      const events = draw(<Events view={view} now={s.clock} width={w} maxRows={5} />, w);
      expect(events[1]).toMatch(/account podreel\S*… ?$/);
      expect(events[2]).toMatch(/ledger edited outside daycap: 2 rows merged, 0 re/);
      const accounts = draw(<AccountsLine view={view} now={s.clock} width={w} />, w);
      expect(accounts[0]).toMatch(/ACCOUNTS\s+2 seen · 0 at cap.* · 1 frozen$/);
      for (const line of [...failures, ...events, ...accounts]) expect(textWidth(line)).toBeLessThanOrEqual(w);
    }
  });

  it('KeyHelp: the keys, paused and stopping wording', () => {
    expect(draw(<KeyHelp width={80} paused={false} stopRequested={false} screen="live" />)[0]).toBe(' q stop after jobs in flight · p pause claiming · f failures · a accounts');
    expect(draw(<KeyHelp width={80} paused stopRequested={false} screen="live" />)[0]).toContain('p resume claiming');
    expect(draw(<KeyHelp width={80} paused={false} stopRequested screen="live" />)[0]).toBe(' stopping: no new claims, jobs in flight finish · Ctrl-C stops now');
    expect(draw(<KeyHelp width={80} paused={false} stopRequested stopReason="Ctrl-C" screen="live" />)[0]).toBe(' stopping (Ctrl-C): no new claims, jobs in flight finish · Ctrl-C stops now');
    expect(draw(<KeyHelp width={40} paused={false} stopRequested stopReason="q" screen="live" />, 40)[0]).toBe(' stopping (q) · Ctrl-C stops now');
    expect(draw(<KeyHelp width={40} paused={false} stopRequested={false} screen="failures" />)[0]).toBe(' q stop p pause f back a accounts');
  });

  it('FinalSummary: run, ledger, duration, counts, failures by kind and the exit code explained', () => {
    const s = new Scenario(dayJobs(3), { workers: 2 });
    const view = viewOf(s);
    s.start();
    s.succeed(s.claim(0), 0);
    s.fail(s.claim(1), 1, 'banned for violating our terms');
    s.succeed(s.claim(0), 0);
    s.advance(125_000);
    s.end();
    const out = plain(draw(<FinalSummary view={view} width={80} />).join('\n'));
    expect(out).toMatch(/daycap\s+run 7f3c0a ended \(done\) after 2:05/);
    expect(out).toMatch(/result\s+✔ 2 success\s+✖ 1 failed\s+· 0 pending/);
    expect(out).toMatch(/account\/banned\s+1 failed/);
    expect(out).toMatch(/exit\s+code 4: the run finished with jobs left \(1 failed\)/);
  });
});

/** Posting from 06:00 to 21:00 UTC: the scenarios start at 22:00 UTC, with the window closed. */
const WINDOWED: PacingPolicy = { ...DEFAULT_PACING, windows: { timeZone: 'UTC', ranges: [{ start: '06:00', end: '21:00' }], atEnd: 'wait' } };
const PACING_PHRASES = ['gap 10:00 + up to 3:00', 'at most 30/min', 'window 06:00–21:00 UTC'];
/** 7:32:10 before the window opens at 06:00. */
const TO_22_27_50 = 27 * 60_000 + 50_000;

/** Suspended earlier today, with a job still waiting. */
function suspended(account: string, at = T0 - 3_600_000): Job[] {
  return [
    newJob({ job_id: `${account}-1`, account, status: 'failed', attempts: 1, error: 'Your account has been suspended', error_category: 'account', error_type: 'suspended', completed_at: isoTime(at) }),
    newJob({ job_id: `${account}-2`, account }),
  ];
}

describe('account health and pacing on screen', () => {
  it('RunRules: the pacing rules under the header; while the window is closed, when it opens', () => {
    const s = new Scenario(dayJobs(2), { pacing: WINDOWED });
    const view = viewOf(s);
    s.start(PACING_PHRASES);
    expect(draw(<RunRules view={view} now={s.clock} width={80} />)[0]).toBe(' PACING  gap 10:00 + up to 3:00 · at most 30/min · window 06:00–21:00 UTC');
    s.window(false, Date.UTC(2025, 11, 15, 6, 0, 0));
    s.advance(TO_22_27_50);
    const closed = draw(<RunRules view={view} now={s.clock} width={80} />)[0]!;
    expect(closed).toMatch(/^ outside the posting window — opens in 7:32:10 · gap 10:00 \+ up to 3:00 · at\b.*…$/);
    expect(textWidth(closed)).toBeLessThanOrEqual(80);
    expect(draw(<RunRules view={view} now={s.clock} width={40} />, 40)[0]).toBe(' outside the posting window — opens in…');
    s.window(false);
    expect(draw(<RunRules view={view} now={s.clock} width={120} />, 120)[0]).toMatch(/^ outside the posting window — the run ends once the jobs in flight are done · gap 10:00/);
    s.window(true);
    expect(draw(<RunRules view={view} now={s.clock} width={80} />)[0]).toMatch(/^ PACING {2}gap/);
  });

  it('RunRules: no row without pacing rules, unless the window is closed', () => {
    const s = new Scenario(dayJobs(2));
    const view = viewOf(s);
    s.start();
    expect(plain(draw(<RunRules view={view} now={s.clock} width={80} />).join('\n')).trim()).toBe('');
    s.window(false, s.clock + 90_000);
    expect(draw(<RunRules view={view} now={s.clock} width={80} />)[0]).toBe(' outside the posting window — opens in 1:30');
  });

  it('Workers: an idle worker says the window is closed and when it opens, or which accounts are held and when the next one is free', () => {
    const s = new Scenario(dayJobs(2), { pacing: WINDOWED, workers: 2 });
    const view = viewOf(s);
    s.start(PACING_PHRASES);
    s.advance(TO_22_27_50);
    s.idle(0);
    expect(draw(<Workers view={view} now={s.clock} width={80} maxRows={5} />)[1]).toMatch(/^ {2}#0\s+idle: outside the posting window \(opens in 7:32:10\)$/);

    // Three accounts cooling down (the platform said how long), one frozen; each has another job waiting.
    const h = new Scenario([...dayJobs(3, 2), ...suspended('acct_susp')], { workers: 3 });
    const hv = viewOf(h);
    h.start();
    for (const [w, wait] of [[0, 250_000], [1, 400_000], [2, 600_000]] as const) h.fail(h.claim(w), w, 'rate limited', { retryAfterMs: wait });
    h.idle(0);
    const row = draw(<Workers view={hv} now={h.clock} width={120} maxRows={5} />, 120)[1]!;
    expect(row).toMatch(/^ {2}#0\s+idle: 3 cooling down, 1 frozen, next account free in 4:10, 3 retrying later \(next in 5:00\)$/);
    // The countdowns follow the clock.
    expect(draw(<Workers view={hv} now={h.clock + 60_000} width={120} maxRows={5} />, 120)[1]).toContain('next account free in 3:10');
  });

  it('AccountsLine: how many accounts are frozen and cooling down; a cooldown that is over no longer counts', () => {
    const s = new Scenario([...dayJobs(3), ...suspended('acct_susp'), ...suspended('acct_banned')], { workers: 2 });
    const view = viewOf(s);
    s.start();
    s.fail(s.claim(0), 0, 'action blocked', { retryAfterMs: 120_000 });
    for (const w of [80, 60]) {
      const line = draw(<AccountsLine view={view} now={s.clock} width={w} />, w)[0]!;
      expect(textWidth(line)).toBeLessThanOrEqual(w);
      expect(line).toMatch(/ · 2 frozen · 1 cooling( down)?$/);
    }
    // Accounts are "seen" once they claim: the frozen ones have not.
    expect(draw(<AccountsLine view={view} now={s.clock} width={120} />, 120)[0]).toMatch(/^ ACCOUNTS {2}1 seen · 0 at cap \(1\/day\) · 0 in flight · 1 with account error · 2 frozen · 1 cooling down$/);
    expect(draw(<AccountsLine view={view} now={s.clock + 120_000} width={120} />, 120)[0]).toMatch(/ · 2 frozen$/);
  });

  it('AccountsView: frozen accounts with their reasons and cooling accounts with the time left, above the table', () => {
    const s = new Scenario([...dayJobs(3), ...suspended('acct_susp')], { workers: 2 });
    const view = viewOf(s);
    s.start();
    s.fail(s.claim(0), 0, 'Action blocked, try again later', { retryAfterMs: 3_600_000 });
    s.advance(10_000);
    const out = draw(<AccountsView view={view} now={s.clock} width={100} maxRows={20} />, 100);
    expect(out[0]).toMatch(/^ ACCOUNTS {2}1 seen · 0 at cap · 0 in flight · 1 with account error$/);
    expect(out[1]).toMatch(/^ FROZEN {2}1 · jobs stay pending until `daycap unfreeze --account <name>`$/);
    expect(out[2]).toMatch(/^ {2}acct_susp\s+account\/suspended: Your account has been suspended \(job acct_susp-1\)$/);
    expect(out[3]).toMatch(/^ COOLING DOWN {2}1 · no claims until their time is up$/);
    expect(out[4]).toMatch(/^ {2}account00\s+59:50 left {2}action_blocked: Action blocked, try again later$/);
    expect(out[5]).toMatch(/^ {2}ACCOUNT\s+POSTS\/CAP\s+IN FLIGHT\s+LAST ERROR/);
    for (const w of [80, 60]) {
      const narrow = draw(<AccountsView view={view} now={s.clock} width={w} maxRows={20} />, w);
      expect(narrow[2]).toMatch(/^ {2}acct_susp\s+account\/suspended: Your\b.*…$/);
      for (const line of narrow) expect(textWidth(line)).toBeLessThanOrEqual(w);
    }
    // Once the hour is over, the account is no longer listed as cooling down.
    const later = draw(<AccountsView view={view} now={s.clock + 3_600_000} width={80} maxRows={20} />);
    expect(later.join('\n')).not.toContain('COOLING DOWN');
    expect(later[3]).toMatch(/^ {2}ACCOUNT\s+POSTS\/CAP/);
  });

  it('AccountsView: long lists give way to the table, each ending with how many more there are', () => {
    const frozen = Array.from({ length: 12 }, (_, i) => suspended(`frozen${String(i).padStart(2, '0')}`)).flat();
    const s = new Scenario([...dayJobs(12), ...frozen], { workers: 12 });
    const view = viewOf(s);
    s.start();
    for (let w = 0; w < 12; w++) s.fail(s.claim(w), w, 'rate limited', { retryAfterMs: 60_000 * (w + 1) });
    const out = draw(<AccountsView view={view} now={s.clock} width={80} maxRows={20} />);
    expect(out.length).toBeLessThanOrEqual(20);
    const text = out.join('\n');
    expect(text).toMatch(/FROZEN {2}12 ·/);
    expect(text).toMatch(/COOLING DOWN {2}12 ·/);
    expect(text).toMatch(/^ {2}… \d+ more$/m);
    // The soonest free account comes first.
    expect(text).toMatch(/account00\s+1:00 left/);
    expect(text).toContain('ACCOUNT');
  });

  it('FinalSummary: the pacing rules, and the accounts left frozen or cooling down', () => {
    const s = new Scenario([...dayJobs(2), ...suspended('acct_susp')], { workers: 2 });
    const view = viewOf(s);
    s.start(PACING_PHRASES);
    s.fail(s.claim(0), 0, 'action blocked', { retryAfterMs: 3_600_000 });
    s.succeed(s.claim(1), 1);
    s.end();
    const out = plain(draw(<FinalSummary view={view} width={120} />, 120).join('\n'));
    expect(out).toMatch(/pacing\s+gap 10:00 \+ up to 3:00 · at most 30\/min · window 06:00–21:00 UTC/);
    expect(out).toMatch(/health\s+1 frozen: acct_susp \(lift with `daycap unfreeze --account <name>`\) · 1 cooling down until 23:00:00 UTC/);
  });
});

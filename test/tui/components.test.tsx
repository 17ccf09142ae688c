import { Box } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { newJob } from '../../src/core/job.js';
import { AccountsLine } from '../../src/tui/components/AccountsLine.js';
import { Counts } from '../../src/tui/components/Counts.js';
import { Events } from '../../src/tui/components/Events.js';
import { FinalSummary } from '../../src/tui/components/FinalSummary.js';
import { Header } from '../../src/tui/components/Header.js';
import { KeyHelp } from '../../src/tui/components/KeyHelp.js';
import { ProgressBar } from '../../src/tui/components/ProgressBar.js';
import { RecentFailures } from '../../src/tui/components/RecentFailures.js';
import { Workers } from '../../src/tui/components/Workers.js';
import { RunView } from '../../src/tui/model.js';
import { width as textWidth } from '../../src/tui/text.js';
import { dayJobs, lines, plain, Scenario } from './scenario.js';

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
    view.counts = { pending: 41_234, claimed: 4, success: 52_001, retrying: 1_200, failed: 5_561, skipped: 0, unconfirmed: 0 };
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
    s.events.emit('external-edit', { merged: 2, refused: 0, message: long('merged'), at: s.clock });
    for (const w of [80, 60]) {
      const failures = draw(<RecentFailures view={view} now={s.clock} width={w} maxRows={5} />, w);
      expect(failures[0]).toMatch(/RECENT FAILURES\s+2 this run/);
      expect(failures.join('\n')).toMatch(/podreel\S*…\s+account\/susp\S*\s+not retried\s+"Your[^"]*…"/);
      expect(failures.join('\n')).toMatch(/account\S*\s+infrastructur\S*\s+retry in 5:00 \(2\/3\)/);
      const events = draw(<Events view={view} now={s.clock} width={w} maxRows={5} />, w);
      expect(events[1]).toMatch(/ledger edited outside daycap: 2 rows merged, 0 re/);
      const accounts = draw(<AccountsLine view={view} now={s.clock} width={w} />, w);
      expect(accounts[0]).toMatch(/ACCOUNTS\s+2 seen · 0 at cap/);
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

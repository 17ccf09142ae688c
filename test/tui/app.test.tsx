import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/tui/App.js';
import { FrameCosts } from '../../src/tui/frame-costs.js';
import { frame, fakeControls, renderAt, resize, until, widest, type Rendered } from './harness.js';
import { dayJobs, lines, Scenario } from './scenario.js';
import { isoTime, newJob } from '../../src/core/job.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

/** A run in the middle of things: posts, a retry, a final failure, an idle worker, an edit, a warning. */
function midRun(s: Scenario): void {
  s.start();
  const a = s.claim(0);
  const b = s.claim(1);
  const c = s.claim(2);
  s.advance(42_000);
  s.succeed(a, 0);
  s.fail(b, 1, 'adb timeout: device offline');
  s.fail(c, 2, 'Your account has been suspended');
  s.claim(0);
  s.idle(1);
  s.idle(2);
  s.events.emit('external-edit', { merged: 2, refused: 0, message: 'Applied 2 edits.', counts: s.tracker.statusCounts(), jobs: s.tracker.size, at: s.clock });
  s.events.emit('warning', { message: 'the ledger directory is nearly full', at: s.clock });
  s.advance(3_000);
}

describe('the live screen', () => {
  it('shows the header, progress, counts, workers, accounts, recent failures, events and the keys', async () => {
    const s = new Scenario(dayJobs(6, 2), { workers: 3 });
    const r = renderAt(<App events={s.events} controls={fakeControls()} now={s.now} />, 100);
    midRun(s);
    const f = await until(r, 'EVENTS');
    expect(f).toMatch(/daycap\s+progress\.csv · run 7f3c0a · 3 workers · cap 1\/account\/day\s+elapsed 0:45 · ETA/);
    expect(f).toMatch(/[█░]+\s+\d+\/12 \d+%/);
    expect(f).toContain('✔ 1 success');
    expect(f).toContain('✖ 1 failed');
    expect(f).toContain('↻ 1 retrying');
    expect(f).toContain('▶ 1 claimed');
    expect(f).toMatch(/· 8 pending/);
    expect(f).toMatch(/jobs\/min|\/min/);
    expect(f).toMatch(/WORKERS\s+1 busy · 2 idle/);
    expect(f).toMatch(/#0\s+account03\s+DMNmeE-3-0\.mp4\s+0:03/);
    // account02's second job waits behind its frozen account.
    expect(f).toMatch(/#1\s+idle: 1 account in flight, 1 at cap, 1 frozen, 1 retrying later \(next in 4:57\)/);
    expect(f).toMatch(/ACCOUNTS\s+4 seen · 2 at cap .*1 in flight · 1 with account error · 1 frozen/);
    expect(f).toContain('account account02 FROZEN for the day: account/suspended');
    expect(f).toMatch(/RECENT FAILURES\s+2 this run/);
    expect(f).toMatch(/22:00\s+account01\s+infrastructure\/adb_timeout\s+retry in 4:57 \(2\/3\)\s+"adb timeout: device offline"/);
    expect(f).toMatch(/22:00\s+account02\s+account\/suspended\s+not retried\s+"Your account has been/);
    expect(f).toContain('ledger edited outside daycap: 2 rows merged, 0 refused');
    expect(f).toContain('WARNING the ledger directory is nearly full');
    expect(f).toContain('q stop after jobs in flight · p pause claiming · f failures · a accounts');
  });

  it('fits 80 columns, and then 60, with 200-character names, captions and messages cut, not wrapped', async () => {
    const long = (what: string) => `${what}-${'x'.repeat(200 - what.length - 1)}`;
    const jobs = [0, 1, 2, 3].map((i) => newJob({
      job_id: `job${i}`, account: long(`account${i}`), caption: long('caption\nwith lines'), video_path: `chunk/${long(`video${i}`)}.mp4`,
    }));
    const s = new Scenario(jobs, { workers: 4, ledger: `/data/${long('ledger')}.csv` });
    const r = renderAt(<App events={s.events} controls={fakeControls()} now={s.now} />, 80);
    s.start();
    const a = s.claim(0);
    const b = s.claim(1);
    s.claim(2);
    s.fail(a, 0, long('Your account has been suspended'));
    s.fail(b, 1, long('socket hang up'));
    s.idle(3);
    s.events.emit('external-edit', { merged: 0, refused: 1, keptAs: long('progress.edited'), message: long('refused'), counts: s.tracker.statusCounts(), jobs: s.tracker.size, at: s.clock });
    s.events.emit('warning', { message: long('warning'), at: s.clock });
    let f = await until(r, 'EVENTS');
    expect(widest(r)).toBeLessThanOrEqual(80);
    expect(f).toContain('…');
    expect(f).toMatch(/account2-x+…/);
    expect(f).toContain('RECENT FAILURES');
    expect(f).toContain('q stop');
    // The number of rows is the layout's, not one more for a wrapped caption or message.
    const rows = lines(r.lastFrame()).length;
    resize(r, 60);
    f = await until(r, () => widest(r) <= 60);
    expect(lines(r.lastFrame()).length).toBe(rows);
    expect(f).toMatch(/daycap/);
    expect(f).toContain('EVENTS');
    r.stdin.write('f');
    await until(r, 'FAILURES ');
    expect(widest(r)).toBeLessThanOrEqual(60);
    r.stdin.write('a');
    await until(r, 'LAST ERROR');
    expect(widest(r)).toBeLessThanOrEqual(60);
  });

  it('stays shorter than the terminal: many workers are summed up in one row', async () => {
    const s = new Scenario(dayJobs(40), { workers: 32 });
    const r = renderAt(<App events={s.events} controls={fakeControls()} now={s.now} />, 80);
    resize(r, 80, 20);
    s.start();
    for (let w = 0; w < 32; w++) s.claim(w);
    for (let w = 0; w < 4; w++) s.fail(s.tracker.get(`DMNmeE-${w}-0`)!, w, 'broken pipe');
    s.events.emit('warning', { message: 'one', at: s.clock });
    const f = await until(r, /… \d+ more: \d+ busy/);
    // The frame holds the lines printed above the live part too (the failure that scrolled out).
    const all = lines(r.lastFrame());
    const live = all.slice(all.findIndex((line) => line.startsWith(' daycap ')));
    expect(live.length).toBeLessThan(20);
    expect(f).toContain('RECENT FAILURES');
    expect(f).toContain('q stop');
  });
});

describe('account health and pacing', () => {
  it('shows the pacing rules and a closed window under the header, frozen and cooling accounts on the accounts line and in the a view, within the terminal', async () => {
    const jobs = [
      ...dayJobs(6, 2),
      newJob({ job_id: 'susp-1', account: 'acct_susp', status: 'failed', attempts: 1, error: 'Your account has been suspended', error_category: 'account', error_type: 'suspended', completed_at: isoTime(Date.UTC(2025, 11, 14, 9)) }),
      newJob({ job_id: 'susp-2', account: 'acct_susp' }),
    ];
    const s = new Scenario(jobs, { workers: 3 });
    const r = renderAt(<App events={s.events} controls={fakeControls()} now={s.now} />, 80);
    resize(r, 80, 24);
    s.start(['gap 10:00 + up to 3:00', 'window 06:00–21:00 UTC']);
    let f = await until(r, 'PACING');
    expect(f).toMatch(/^ daycap .*\n PACING {2}gap 10:00 \+ up to 3:00 · window 06:00–21:00 UTC\n [█░]+/m);
    expect(f).toMatch(/ACCOUNTS\s+0 seen · 0 at cap .* · 1 frozen$/m);

    const a = s.claim(0);
    s.fail(a, 0, 'action blocked', { retryAfterMs: 3_600_000 });
    s.idle(0);
    s.window(false, Date.UTC(2025, 11, 15, 6));
    s.advance(27 * 60_000 + 50_000);
    f = await until(r, 'outside the posting window — opens in 7:32:10');
    expect(f).toMatch(/^ daycap .*\n outside the posting window — opens in 7:32:10 · gap 10:00 \+ up to 3:00 · w\S*…\n/m);
    expect(f).toMatch(/ACCOUNTS\s+1 seen · .* · 1 frozen · 1 cooling( down)?$/m);
    expect(f).toMatch(/#0\s+idle: 1 cooling down, 1 frozen, next account free in 32:10/);
    expect(widest(r)).toBeLessThanOrEqual(80);
    const all = lines(r.lastFrame());
    expect(all.length - all.findIndex((line) => line.startsWith(' daycap '))).toBeLessThan(24);

    r.stdin.write('a');
    f = await until(r, 'COOLING DOWN');
    expect(f).toMatch(/^ outside the posting window — opens in 7:32:10/m);
    expect(f).toMatch(/^ FROZEN {2}1 · jobs stay pending until `daycap unfreeze --account <name>`$/m);
    expect(f).toMatch(/^ {2}acct_susp\s+account\/suspended: Your account has been suspended \(job susp-1\)$/m);
    expect(f).toMatch(/^ {2}account00\s+32:10 left {2}action_blocked: action blocked$/m);
    expect(f).toContain('LAST ERROR');
    expect(widest(r)).toBeLessThanOrEqual(80);

    // The operator lifts the freeze from another terminal, and the window opens.
    s.unfreeze('acct_susp');
    s.window(true);
    f = await until(r, (text) => !text.includes('FROZEN  '));
    expect(f).toMatch(/^ PACING {2}gap/m);
    expect(f).not.toContain('outside the posting window —');
  });
});

describe('keys', () => {
  /** A run of two jobs on screen, started, its keys shown. */
  async function started(): Promise<{ s: Scenario; controls: ReturnType<typeof fakeControls>; r: Rendered }> {
    const s = new Scenario(dayJobs(2));
    const controls = fakeControls();
    const r = renderAt(<App events={s.events} controls={controls} now={s.now} />);
    s.start();
    await until(r, 'q stop');
    return { s, controls, r };
  }

  it('q asks for a graceful stop, once', async () => {
    const { controls, r } = await started();
    r.stdin.write('q');
    await vi.waitFor(() => expect(controls.stop).toHaveBeenCalledTimes(1));
    expect(controls.stop).toHaveBeenCalledWith('q');
    const f = await until(r, 'Ctrl-C stops now');
    expect(f).toContain('stopping (q): no new claims, jobs in flight finish · Ctrl-C stops now');
    expect(f).toContain('STOPPING (q)');
    r.stdin.write('q');
    expect(controls.calls).toEqual(['stop']);
  });

  it('p pauses claiming, and p again resumes it', async () => {
    const { s, controls, r } = await started();
    await until(r, 'p pause claiming');
    r.stdin.write('p');
    await vi.waitFor(() => expect(controls.pause).toHaveBeenCalledTimes(1));
    s.events.emit('paused', { paused: true, at: s.clock });
    await until(r, 'PAUSED');
    await until(r, 'p resume claiming');
    r.stdin.write('p');
    await vi.waitFor(() => expect(controls.resume).toHaveBeenCalledTimes(1));
    expect(controls.calls).toEqual(['pause', 'resume']);
  });

  it('f shows every recent failure, Esc comes back; a shows the accounts, a comes back', async () => {
    const s = new Scenario(dayJobs(8), { workers: 1 });
    const r = renderAt(<App events={s.events} controls={fakeControls()} now={s.now} />);
    s.start();
    for (let i = 0; i < 6; i++) s.fail(s.claim(0), 0, `connection reset #${i}`);
    await until(r, 'RECENT FAILURES');
    // The live part keeps the last three; the older ones went to the scrollback above it.
    r.stdin.write('f');
    const f = await until(r, /FAILURES\s+6 this run · newest first/);
    for (let i = 0; i < 6; i++) expect(f).toContain(`connection reset #${i}`);
    expect(f).not.toContain('WORKERS');
    r.stdin.write('\u001B');
    await until(r, 'WORKERS');
    r.stdin.write('a');
    const a = await until(r, 'LAST ERROR');
    expect(a).toMatch(/account00\s+0\/1\s+infrastructure\/connection_dropped: connection reset #0/);
    r.stdin.write('a');
    await until(r, 'WORKERS');
  });

  it('a stop asked for elsewhere (daycap stop, a signal) shows its reason', async () => {
    const s = new Scenario(dayJobs(2));
    const r = renderAt(<App events={s.events} controls={fakeControls()} now={s.now} />);
    s.start();
    s.events.emit('stopping', { reason: 'daycap stop', graceMs: 30_000, at: s.clock });
    const f = await until(r, 'Ctrl-C stops now');
    expect(f).toContain('STOPPING (daycap stop)');
    expect(f).toContain('stopping (daycap stop)');
  });

  it('Ctrl-C asks for a graceful stop, and a second Ctrl-C stops now', async () => {
    const { s, controls, r } = await started();
    r.stdin.write('\u0003');
    await vi.waitFor(() => expect(controls.stop).toHaveBeenCalledTimes(1));
    // The stop says what the operator did, to the runner and on screen (not "q").
    expect(controls.stop).toHaveBeenCalledWith('Ctrl-C');
    s.events.emit('stopping', { reason: 'Ctrl-C', graceMs: 30_000, at: s.clock });
    const f = await until(r, 'stopping (Ctrl-C)');
    expect(f).toContain('STOPPING (Ctrl-C): waiting for jobs in flight');
    expect(f).toContain('stopping (Ctrl-C): no new claims');
    expect(f).not.toContain('(q)');
    r.stdin.write('\u0003');
    await vi.waitFor(() => expect(controls.stopNow).toHaveBeenCalledTimes(1));
    expect(controls.calls).toEqual(['stop', 'stopNow']);
  });
});

describe('the end of the run', () => {
  it('leaves the final summary on screen and unmounts', async () => {
    const s = new Scenario(dayJobs(4, 2), { workers: 2 });
    const r = renderAt(<App events={s.events} controls={fakeControls()} now={s.now} />, 80);
    s.start();
    s.succeed(s.claim(0), 0);
    s.fail(s.claim(1), 1, 'Your account has been suspended');
    s.fail(s.claim(0), 0, 'adb timeout');
    s.advance(3_900_000);
    // The failures are in the live part first.
    await until(r, 'RECENT FAILURES');
    s.end();
    const f = await until(r, 'exit');
    expect(f).toMatch(/run 7f3c0a ended \(done\) after 1:05:00/);
    expect(f).toContain('ledger   /home/op/day/progress.csv');
    expect(f).toContain('time     2025-12-14 22:00:00 → 23:05:00 UTC');
    expect(f).toMatch(/jobs\s+8 in the ledger · 2 finished this run · 1 pass/);
    expect(f).toMatch(/result\s+✔ 1 success\s+✖ 1 failed\s+↻ 1 retrying\s+· 5 pending/);
    expect(f).toMatch(/account\/suspended\s+1 failed/);
    expect(f).toMatch(/infrastructure\/adb_timeout\s+1 retried/);
    // The exit line wraps inside its column at 80 columns.
    expect(f.replace(/\s+/g, ' ')).toContain('exit code 4: the run finished with jobs left (1 failed, 1 retrying, 5 pending)');
    expect(f).not.toContain('WORKERS');
    expect(f).not.toContain('q stop');
    expect(widest(r)).toBeLessThanOrEqual(80);
    // The failure lines that were live went to the scrollback, each once.
    expect(f.match(/account\/suspended\s+not retried/g)).toHaveLength(1);
    // Unmounted: later events draw nothing.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const frames = r.frames.length;
    s.events.emit('warning', { message: 'late', at: s.clock });
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(r.frames.length).toBe(frames);
  });
});

describe('the redraw throttle', () => {
  it('redraws a bounded number of times whatever the event rate, and shows every event', async () => {
    vi.useFakeTimers();
    const s = new Scenario(dayJobs(3000), { workers: 4 });
    let renders = 0;
    const r = renderAt(<App events={s.events} controls={fakeControls()} now={s.now} onRender={() => void (renders += 1)} />, 100);
    s.start();
    await vi.advanceTimersByTimeAsync(100);
    const before = renders;
    // 6,000 events (3,000 claims and posts) spread over one simulated second: 6 every millisecond,
    // with the timers (and React's scheduler) let run in between, as in a real run.
    for (let ms = 0; ms < 1000; ms++) {
      for (let i = 0; i < 3; i++) {
        const w = i % 4;
        s.succeed(s.claim(w), w);
      }
      s.advance(1);
      await vi.advanceTimersByTimeAsync(1);
    }
    const during = renders - before;
    expect(during).toBeGreaterThan(0);
    expect(during).toBeLessThanOrEqual(11);
    // Within a second of the last event, the screen shows all of them.
    await vi.advanceTimersByTimeAsync(1000);
    expect(frame(r)).toContain('✔ 3000 success');
    // Quiet: the clocks still tick, about once a second.
    const quiet = renders;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(renders - quiet).toBeGreaterThan(0);
    expect(renders - quiet).toBeLessThanOrEqual(11);
  });
});

describe('frames while a run is busy', () => {
  /** A run of `seconds` simulated seconds, 3 jobs every millisecond, timers let run in between. */
  async function busy(s: Scenario, seconds: number): Promise<void> {
    for (let ms = 0; ms < seconds * 1000; ms++) {
      for (let i = 0; i < 3; i++) {
        const w = i % 4;
        s.succeed(s.claim(w), w);
      }
      s.advance(1);
      await vi.advanceTimersByTimeAsync(1);
    }
  }

  it('draws the run as soon as it starts, then steadily, even when the first frames are costly', async () => {
    vi.useFakeTimers();
    const s = new Scenario(dayJobs(9000), { workers: 4 });
    let renders = 0;
    // Every frame looks like it took 300 ms (a slow machine, nothing compiled yet).
    let clock = 0;
    const frameClock = () => (clock += 300);
    const r = renderAt(<App events={s.events} controls={fakeControls()} now={s.now} onRender={() => void (renders += 1)} frameClock={frameClock} />, 100);
    await vi.advanceTimersByTimeAsync(500);
    expect(frame(r)).toContain('starting…');
    const before = renders;
    s.start();
    s.succeed(s.claim(0), 0);
    // Drawn right away, not after the cost of the first frame has been waited out.
    await vi.advanceTimersByTimeAsync(1);
    expect(renders).toBeGreaterThan(before);
    expect(frame(r)).toMatch(/run 7f3c0a.*\n.*1\/9000/);
    // While events come, at least twice a second however costly a frame, and never more than ten times.
    const during = renders;
    await busy(s, 2);
    expect(renders - during).toBeGreaterThanOrEqual(4);
    expect(renders - during).toBeLessThanOrEqual(21);
    expect(frame(r)).toMatch(/\d{4}\/9000/);
  });

  it('draws ten frames a second at most when frames are cheap', async () => {
    vi.useFakeTimers();
    const s = new Scenario(dayJobs(6000), { workers: 4 });
    let renders = 0;
    const r = renderAt(<App events={s.events} controls={fakeControls()} now={s.now} onRender={() => void (renders += 1)} frameClock={() => 0} />, 100);
    s.start();
    await vi.advanceTimersByTimeAsync(1);
    const before = renders;
    await busy(s, 2);
    expect(renders - before).toBeGreaterThanOrEqual(15);
    expect(renders - before).toBeLessThanOrEqual(21);
    expect(frame(r)).toMatch(/3000( jobs)?\/s/);
  });
});

describe('how far apart frames are', () => {
  /** A main thread that was `busy` (0 to 1) over each `ms` since the last reading. */
  function loadOf(): { load: () => { active: number; idle: number; utilization: number }; pass: (ms: number, busy: number) => void } {
    let active = 0;
    let idle = 0;
    return {
      load: () => ({ active, idle, utilization: active / Math.max(1, active + idle) }),
      pass: (ms, busy) => {
        active += ms * busy;
        idle += ms * (1 - busy);
      },
    };
  }

  it('keeps drawing to a small share of a busy main thread, and draws ten times a second on an idle one', () => {
    const main = loadOf();
    const costs = new FrameCosts(main.load);
    // The first frame (before the run) does not count; then 10 ms frames.
    costs.add(80);
    for (let i = 0; i < 5; i++) costs.add(10);
    // Until the load is known the run counts as busy: 10 ms at 2% of the thread is 500 ms apart.
    expect(costs.gapTicks(100)).toBe(5);
    // A calm run: the runner used 10% of the thread, drawing 5% more.
    main.pass(500, 0.15);
    costs.add(10);
    costs.add(15);
    costs.measureLoad();
    expect(costs.gapTicks(100)).toBe(1);
    // A busy one: the runner uses 90% of it.
    main.pass(500, 0.9);
    costs.measureLoad();
    expect(costs.gapTicks(100)).toBe(5);
    // Cheap frames on a busy thread: 2 ms at 2% is 100 ms apart.
    for (let i = 0; i < 5; i++) costs.add(2);
    expect(costs.gapTicks(100)).toBe(1);
    for (let i = 0; i < 5; i++) costs.add(5);
    expect(costs.gapTicks(100)).toBe(3);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { isoTime, newJob, type Job } from '../../src/core/job.js';
import { RunView } from '../../src/tui/model.js';
import { dayJobs, RETRY_MS, Scenario, T0 } from './scenario.js';
import { accountSummary } from '../helpers/day.js';
import { rng } from '../helpers/random.js';

function watch(s: Scenario, options?: ConstructorParameters<typeof RunView>[0]): RunView {
  const view = new RunView(options);
  s.events.onAny((event) => view.apply(event));
  return view;
}

describe('RunView counts', () => {
  it('starts from run-started and keeps counts right through claim → retrying → claimed → success', () => {
    // One account with a job, and one whose job is not due until the end (so pending is not zero).
    const s = new Scenario([...dayJobs(1), newJob({ job_id: 'later', account: 'other', status: 'retrying', attempts: 1, error: 'x', retry_at: isoTime(T0 + 3_600_000) })]);
    const view = watch(s);
    s.start();
    expect(view.counts).toMatchObject({ pending: 1, claimed: 0, retrying: 1 });
    expect(view.total).toBe(2);

    const job = s.claim(0);
    expect(view.counts).toMatchObject({ pending: 0, claimed: 1, retrying: 1 });
    s.fail(job, 0, 'adb timeout');
    expect(view.counts).toMatchObject({ pending: 0, claimed: 0, retrying: 2 });
    s.advance(RETRY_MS);
    // The same job again: claimed from retrying.
    const again = s.claim(1);
    expect(again.job_id).toBe(job.job_id);
    expect(view.counts).toMatchObject({ pending: 0, claimed: 1, retrying: 1 });
    s.succeed(again, 1);
    expect(view.counts).toEqual(s.tracker.statusCounts());
    expect(view.counts).toMatchObject({ success: 1, retrying: 1 });
  });

  it('counts final failures and unconfirmed claims', () => {
    const s = new Scenario(dayJobs(3));
    const view = watch(s);
    s.start();
    const a = s.claim(0);
    s.fail(a, 0, 'Your account has been suspended');
    expect(view.counts).toMatchObject({ failed: 1, claimed: 0 });
    const b = s.claim(1);
    const row = s.tracker.markUnconfirmed(b.job_id, s.clock);
    s.events.emit('job-unconfirmed', { job: row, workerId: 1, reason: 'worker thread died mid-job', at: s.clock });
    expect(view.counts).toEqual(s.tracker.statusCounts());
    expect(view.counts.unconfirmed).toBe(1);
    expect(view.failures.map((f) => f.outcome)).toEqual(['failed', 'unconfirmed']);
  });

  it('tells a claim of a job left retrying by an earlier run from a claim of a pending job', () => {
    const past = T0 - 60_000;
    const jobs: Job[] = [
      newJob({ job_id: 'r1', account: 'a1', status: 'retrying', attempts: 1, error: 'adb timeout', error_category: 'infrastructure', error_type: 'adb_timeout', retry_at: isoTime(past) }),
      newJob({ job_id: 'p1', account: 'a2' }),
      newJob({ job_id: 'p2', account: 'a3' }),
    ];
    const s = new Scenario(jobs, { workers: 3 });
    const view = watch(s);
    s.start();
    for (let w = 0; w < 3; w++) {
      s.claim(w);
      expect(view.counts).toEqual(s.tracker.statusCounts());
    }
  });

  it('stays equal to the tracker through a long random run (claims, posts, retries, final failures)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      // Seeded, so a failing walk can be replayed.
      const { next } = rng(seed);
      const s = new Scenario(dayJobs(12, 3), { cap: 2, workers: 4 });
      const view = watch(s);
      s.start();
      const inFlight = new Map<number, Job>();
      for (let step = 0; step < 400; step++) {
        const worker = Math.floor(next() * 4);
        const job = inFlight.get(worker);
        if (job) {
          const r = next();
          if (r < 0.6) s.succeed(job, worker);
          else if (r < 0.85) s.fail(job, worker, 'connection reset');
          else s.fail(job, worker, 'video corrupted');
          inFlight.delete(worker);
        } else if (s.tracker.claimableNow(s.clock)) {
          inFlight.set(worker, s.claim(worker));
        } else {
          s.idle(worker);
          s.advance(RETRY_MS / 2);
        }
        expect(view.counts, `seed ${seed} step ${step}`).toEqual(s.tracker.statusCounts());
      }
      // Accounts at the cap and in flight agree with the tracker's own accounting.
      let atCap = 0;
      let busy = 0;
      for (const name of s.tracker.accountNames()) {
        const summary = accountSummary(s.tracker, name)!;
        const mine = view.account(name);
        if (!mine) continue;
        expect(mine.counted, `${name} counted`).toBe(summary.counted);
        if (summary.counted >= 2) atCap += 1;
        if (summary.byStatus.claimed > 0) busy += 1;
      }
      expect(view.atCap).toBe(atCap);
      expect(view.inFlight).toBe(busy);
    }
  });

  it('takes the ledger counts an event carries (a merge can add or change rows) and the final counts at run-ended', () => {
    const s = new Scenario(dayJobs(2));
    const view = watch(s);
    s.start();
    const counts = { ...s.tracker.statusCounts(), pending: 5 };
    s.events.emit('external-edit', { merged: 3, refused: 0, message: '3 new rows', counts, jobs: 5, at: s.clock });
    expect(view.counts.pending).toBe(5);
    expect(view.total).toBe(5);
    s.end();
    expect(view.counts).toEqual(s.tracker.statusCounts());
    expect(view.total).toBe(2);
  });
});

describe('RunView workers, accounts and history', () => {
  it('tracks each worker: busy with a job, idle with its reason, dead', () => {
    const s = new Scenario(dayJobs(1, 2), { workers: 3 });
    const view = watch(s);
    s.start();
    expect(view.workers.map((w) => w.kind)).toEqual(['starting', 'starting', 'starting']);
    const job = s.claim(0);
    s.idle(1);
    s.events.emit('worker-died', { workerId: 2, message: 'out of memory', at: s.clock });
    expect(view.workers[0]).toMatchObject({ kind: 'busy', account: 'account00', video: 'DMNmeE-0-0.mp4', since: T0 });
    expect(view.workers[1]).toMatchObject({ kind: 'idle', blockers: { accountsInFlight: 1 } });
    expect(view.workers[2]).toMatchObject({ kind: 'died', message: 'out of memory' });
    s.succeed(job, 0);
    expect(view.workers[0]!.kind).toBe('between');
  });

  it('counts accounts at the cap, in flight, with account errors, and holds jobs passed over by the cap out of what is left', () => {
    const s = new Scenario(dayJobs(3, 2), { workers: 3 });
    const view = watch(s);
    s.start();
    const a = s.claim(0);
    const b = s.claim(1);
    const c = s.claim(2);
    expect(view.inFlight).toBe(3);
    s.succeed(a, 0);
    s.fail(b, 1, 'Your account has been suspended');
    s.fail(c, 2, 'adb timeout');
    expect(view.inFlight).toBe(0);
    expect(view.atCap).toBe(1);
    expect(view.withAccountErrors).toBe(1);
    expect(view.account(b.account)).toMatchObject({ accountError: true, lastError: 'account/suspended: Your account has been suspended' });
    // account00's second job is passed over by the cap on the next claim: it cannot run today.
    s.claim(0);
    expect(view.heldAtCap).toBe(1);
    expect(view.remaining).toBe(view.counts.pending - 1 + view.counts.claimed + view.counts.retrying);
    expect(view.accountRows()[0]!.name).toBe(b.account);
  });

  it('tallies failures by category/type: final, retried, unconfirmed', () => {
    const s = new Scenario(dayJobs(3), { workers: 3 });
    const view = watch(s);
    s.start();
    s.fail(s.claim(0), 0, 'adb timeout');
    s.fail(s.claim(1), 1, 'Your account has been suspended');
    expect(view.failureTallies()).toEqual([
      { category: 'infrastructure', type: 'adb_timeout', final: 0, retried: 1, unconfirmed: 0 },
      { category: 'account', type: 'suspended', final: 1, retried: 0, unconfirmed: 0 },
    ]);
    expect(view.failedAttempts).toBe(2);
  });

  it('keeps a live window of recent lines; older ones scroll out once, in order, and all of them at the end', () => {
    const s = new Scenario(dayJobs(8), { workers: 1 });
    const view = watch(s, { liveFailures: 2, liveNotes: 1, keep: 5 });
    s.start();
    for (let i = 0; i < 6; i++) s.fail(s.claim(0), 0, `broken pipe ${i}`);
    expect(view.liveFailures().map((f) => f.message)).toEqual(['broken pipe 4', 'broken pipe 5']);
    expect(view.failures).toHaveLength(5);
    const scrolled = view.takeScrolled();
    expect(scrolled.map((l) => (l.kind === 'failure' ? l.failure.message : l.kind))).toEqual(['broken pipe 0', 'broken pipe 1', 'broken pipe 2', 'broken pipe 3']);
    expect(view.takeScrolled()).toEqual([]);
    s.events.emit('warning', { message: 'first', at: s.clock });
    s.events.emit('warning', { message: 'second', at: s.clock });
    expect(view.liveNotes().map((n) => n.text)).toEqual(['WARNING second']);
    s.end();
    expect(view.liveFailures()).toEqual([]);
    const rest = view.takeScrolled();
    expect(rest.map((l) => (l.kind === 'failure' ? l.failure.message : l.kind === 'note' ? l.note.text : 'dropped'))).toEqual([
      'WARNING first', 'broken pipe 4', 'broken pipe 5', 'WARNING second',
    ]);
  });

  it('counts the lines of a burst beyond its backlog instead of keeping them', () => {
    const s = new Scenario(dayJobs(30), { workers: 1 });
    const view = watch(s, { liveFailures: 1, backlog: 5 });
    s.start();
    for (let i = 0; i < 20; i++) s.fail(s.claim(0), 0, `broken pipe ${i}`);
    const scrolled = view.takeScrolled();
    expect(scrolled).toHaveLength(6);
    expect(scrolled[5]).toMatchObject({ kind: 'dropped', count: 14 });
  });

  it('measures jobs per minute, the sparkline history and the ETA from the recent rate', () => {
    const s = new Scenario(dayJobs(40), { workers: 1 });
    const view = watch(s);
    s.start();
    expect(view.etaMs(s.clock)).toBeUndefined();
    // 4 jobs a minute for 5 minutes.
    for (let m = 0; m < 5; m++) {
      for (let i = 0; i < 4; i++) {
        s.advance(15_000);
        s.succeed(s.claim(0), 0);
      }
    }
    expect(view.rate(s.clock)).toBeCloseTo(4, 0);
    expect(view.perMinute(s.clock).reduce((a, b) => a + b, 0)).toBe(20);
    // 20 left at 4 a minute: about 5 minutes.
    expect(view.etaMs(s.clock)! / 60_000).toBeCloseTo(5, 0);
    expect(view.elapsedMs(s.clock)).toBe(5 * 60_000);
    // 30 quiet minutes: the history shows the last 20 minutes, all empty.
    s.advance(30 * 60_000);
    expect(view.perMinute(s.clock)).toHaveLength(20);
    expect(view.rate(s.clock)).toBe(0);
  });

  it('remembers pause, stop and the end', () => {
    const s = new Scenario(dayJobs(1));
    const view = watch(s);
    s.start();
    s.events.emit('paused', { paused: true, at: s.clock });
    expect(view.paused).toBe(true);
    s.events.emit('paused', { paused: false, at: s.clock });
    expect(view.paused).toBe(false);
    s.events.emit('stopping', { reason: 'SIGINT', graceMs: 30_000, at: s.clock });
    expect(view.stopping).toMatchObject({ reason: 'SIGINT' });
    s.end('interrupted');
    expect(view.ended).toMatchObject({ reason: 'interrupted', exitCode: 130 });
  });
});

describe('RunView progress, rate and subscription', () => {
  it('does not count jobs without an account or held back by the cap as done; it counts them apart', () => {
    // Three accounts with two jobs each (cap 1: the second jobs are held back) and two jobs without an account.
    const s = new Scenario([...dayJobs(3, 2), newJob({ job_id: 'orphan-1' }), newJob({ job_id: 'orphan-2' })], { workers: 3 });
    const view = watch(s);
    s.start();
    for (let w = 0; w < 3; w++) s.succeed(s.claim(w), w);
    for (let w = 0; w < 3; w++) s.idle(w);
    // The tracker passes over the held jobs once a claim is tried.
    expect(() => s.claim(0)).toThrow('nothing to claim');
    s.idle(0);
    expect(view.counts).toMatchObject({ success: 3, pending: 5 });
    expect(view.unassigned).toBe(2);
    expect(view.heldAtCap).toBe(3);
    expect(view.done).toBe(3);
    expect(view.remaining).toBe(0);
    s.end();
    expect(view.done).toBe(3);
    expect(view.unassigned).toBe(2);
  });

  it('has a rate from the first seconds of a run, over the last minute after that', () => {
    const s = new Scenario(dayJobs(400), { workers: 1 });
    const view = watch(s);
    s.start();
    expect(view.rate(s.clock)).toBe(0);
    // 10 jobs in the first 2 seconds: 300 a minute, at once.
    for (let i = 0; i < 10; i++) {
      s.advance(200);
      s.succeed(s.claim(0), 0);
    }
    expect(view.rate(s.clock)).toBeCloseTo(300, 0);
    expect(view.etaMs(s.clock)).toBeGreaterThan(0);
    // Then 2 a second for two minutes: the first burst has left the window.
    for (let i = 0; i < 240; i++) {
      s.advance(500);
      s.succeed(s.claim(0), 0);
    }
    expect(view.rate(s.clock)).toBeCloseTo(120, -1);
  });

  it('subscribes to each event type by itself (events are not tagged for it) and ends up where apply() does', () => {
    const s = new Scenario(dayJobs(6, 2), { workers: 3 });
    const attached = new RunView();
    const onAny = vi.spyOn(s.events, 'onAny');
    const off = attached.attach(s.events);
    // Not a subscriber of every event: the stream does not tag (or copy) events for it.
    expect(onAny).not.toHaveBeenCalled();
    s.start();
    const a = s.claim(0);
    const b = s.claim(1);
    s.succeed(a, 0);
    s.fail(b, 1, 'adb timeout');
    s.idle(2);
    s.events.emit('warning', { message: 'disk nearly full', at: s.clock });
    const applied = new RunView();
    for (const event of s.log) applied.apply(event);
    for (const view of [attached, applied]) {
      expect(view.counts).toEqual(s.tracker.statusCounts());
      expect(view.workers.map((w) => w.kind)).toEqual(['between', 'between', 'idle']);
      expect(view.inFlight).toBe(0);
      expect(view.atCap).toBe(1);
      expect(view.failures.map((f) => f.message)).toEqual(['adb timeout']);
      expect(view.notes.map((n) => n.text)).toEqual(['WARNING disk nearly full']);
    }
    off();
    const version = attached.version;
    s.claim(0);
    expect(attached.version).toBe(version);
  });
});

describe('RunView account health and the posting window', () => {
  /** An account frozen by a suspension earlier in the day, one cooling down for 10 more minutes, one whose cooldown is over, and two free ones. */
  function heldDay(): Job[] {
    return [
      newJob({ job_id: 'susp-1', account: 'acct_susp', status: 'failed', attempts: 1, error: 'Your account has been suspended', error_category: 'account', error_type: 'suspended', completed_at: isoTime(T0 - 3_600_000) }),
      newJob({ job_id: 'susp-2', account: 'acct_susp' }),
      newJob({ job_id: 'slow-1', account: 'acct_slow', status: 'retrying', attempts: 1, error: 'Action blocked', error_category: 'account', error_type: 'action_blocked', retry_at: isoTime(T0 + 600_000), extra: { cooldown_until: isoTime(T0 + 600_000) } }),
      newJob({ job_id: 'old-1', account: 'acct_old', status: 'success', extra: { cooldown_until: isoTime(T0 - 1) } }),
      ...dayJobs(2),
    ];
  }

  it('keeps frozen accounts from run-started and account-frozen, and lets go of them at account-unfrozen', () => {
    const s = new Scenario(heldDay(), { workers: 2 });
    const view = watch(s);
    s.start();
    expect([...view.frozen]).toEqual([['acct_susp', 'account/suspended: Your account has been suspended (job susp-1)']]);
    // Another account is suspended during the run.
    s.fail(s.claim(0), 0, 'Your account has been suspended');
    expect(view.frozenRows().map((f) => f.account)).toEqual(['account00', 'acct_susp']);
    expect(view.frozen.get('account00')).toMatch(/^account\/suspended: Your account has been suspended \(job DMNmeE-0-0\)$/);
    expect(view.notes.at(-1)).toMatchObject({ tone: 'bad', text: expect.stringContaining('account account00 FROZEN for the day') as unknown });

    s.unfreeze('acct_susp');
    expect([...view.frozen.keys()]).toEqual(['account00']);
    expect(view.notes.at(-1)!.text).toBe('account acct_susp unfrozen by the operator: 1 failed job changed; its jobs may be claimed again');
    // Unfreezing an account that is not frozen changes nothing (the runner sends no event).
    s.unfreeze('account01');
    expect(view.frozen.size).toBe(1);
    // A new run starts from what its ledger says.
    s.start();
    expect([...view.frozen.keys()]).toEqual(['account00']);
  });

  it('keeps cooling accounts until their time, from run-started and account-cooling; one whose time has passed is no longer shown', () => {
    const s = new Scenario(heldDay(), { workers: 2 });
    const view = watch(s);
    s.start();
    // acct_old's cooldown was over before the run started.
    expect(view.coolingAt(s.clock)).toEqual([{ account: 'acct_slow', until: T0 + 600_000, reason: 'action_blocked: Action blocked (job slow-1)' }]);
    // The platform asks account00 to wait 4 minutes: it is free before acct_slow, so it comes first.
    s.fail(s.claim(0), 0, 'rate limited, slow down', { retryAfterMs: 240_000 });
    expect(view.coolingAt(s.clock).map((c) => [c.account, c.until - s.clock])).toEqual([['account00', 240_000], ['acct_slow', 600_000]]);
    expect(view.coolingCount(s.clock)).toBe(2);
    expect(view.notes.at(-1)).toMatchObject({ tone: 'warn', text: expect.stringContaining('account account00 cooling down until') as unknown });

    s.advance(240_000);
    expect(view.coolingAt(s.clock).map((c) => c.account)).toEqual(['acct_slow']);
    expect(view.coolingCount(s.clock)).toBe(1);
    // Passed entries are dropped, not kept for the rest of the day.
    expect([...view.cooling.keys()]).toEqual(['acct_slow']);
    s.advance(360_000);
    expect(view.coolingCount(s.clock)).toBe(0);
    expect(view.coolingAt(s.clock)).toEqual([]);
  });

  it('an account cools down until the latest end it was given', () => {
    const s = new Scenario(dayJobs(1));
    const view = watch(s);
    s.start();
    s.events.emit('account-cooling', { account: 'account00', jobId: 'a', until: T0 + 600_000, reason: 'action_blocked: slow down', at: s.clock });
    s.events.emit('account-cooling', { account: 'account00', jobId: 'b', until: T0 + 60_000, reason: 'infrastructure streak', at: s.clock });
    expect(view.coolingAt(s.clock)).toEqual([{ account: 'account00', until: T0 + 600_000, reason: 'action_blocked: slow down' }]);
  });

  it('keeps the pacing rules of run-started and the posting window of the last window event', () => {
    const s = new Scenario(dayJobs(2));
    const view = watch(s);
    s.start(['gap 10:00 + up to 3:00', 'window 06:00–21:00 UTC']);
    expect(view.header?.pacing).toEqual(['gap 10:00 + up to 3:00', 'window 06:00–21:00 UTC']);
    expect(view.windowClosed).toBeUndefined();
    s.window(false, T0 + 8 * 3_600_000);
    expect(view.windowClosed).toEqual({ open: false, until: T0 + 8 * 3_600_000, at: T0 });
    expect(view.notes.at(-1)).toMatchObject({ tone: 'warn', text: expect.stringContaining('outside the posting window: no new claims until') as unknown });
    s.advance(8 * 3_600_000).window(true);
    expect(view.windowClosed).toBeUndefined();
    expect(view.window).toMatchObject({ open: true });
    // A window that ends the run: no time to open again.
    s.window(false);
    expect(view.windowClosed).toEqual({ open: false, until: undefined, at: s.clock });
    s.end();
    expect(view.windowClosed).toBeUndefined();
  });

  it('claims and posts leave the frozen and cooling maps alone', () => {
    const s = new Scenario(heldDay(), { workers: 2 });
    const view = watch(s);
    s.start();
    const frozen = view.frozen.size;
    const cooling = view.cooling.size;
    for (let i = 0; i < 2; i++) s.succeed(s.claim(i), i);
    expect(view.frozen.size).toBe(frozen);
    expect(view.cooling.size).toBe(cooling);
    expect(view.counts).toEqual(s.tracker.statusCounts());
  });
});

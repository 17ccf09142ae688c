/**
 * Account health and pacing through the real runner (worker threads, ledger on disk), checked from
 * the handler's own record of its calls. Time is injected where a rule depends on the calendar.
 */
import { describe, expect, it, vi } from 'vitest';
import { unfreeze } from '../../src/api/maintenance.js';
import { readLedgerView } from '../../src/ledger/store.js';
import type { RunEvent } from '../../src/runner/events.js';
import { EXIT } from '../../src/runner/exit-codes.js';
import { Runner } from '../../src/runner/runner.js';
import { pacing } from '../helpers/day.js';
import { tempDir } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { writeLedger } from '../helpers/ledgers.js';
import { rng } from '../helpers/random.js';
import { readRecord, recordedRun, recordIn, RECORDING } from '../helpers/recording.js';

/** A day of `accounts` × `perAccount` jobs, recorded by the recording handler. */
function setup(accounts: number, perAccount: number) {
  const dir = tempDir();
  const record = recordIn(dir);
  return { ledger: writeLedger(dir, gridJobs(accounts, perAccount)), record };
}

const run = (options: Parameters<typeof recordedRun>[0]) => recordedRun({ workers: 3, retryDelayMs: 10, ...options });

describe('account health in a run', () => {
  it('freezes an account on an account failure, keeps it frozen across runs, and unfreeze lifts it', async () => {
    const { ledger, record } = setup(2, 3);
    vi.stubEnv('DAYCAP_FAIL_PATTERN', '^job-0-0$');
    vi.stubEnv('DAYCAP_FAIL_ATTEMPTS', '1');
    vi.stubEnv('DAYCAP_FAIL_MESSAGE', 'Your account has been suspended');
    const first = await run({ ledger, cap: 3 });
    expect(first.exitCode).toBe(EXIT.JOBS_LEFT);
    expect(first.events.find((e) => e.type === 'account-frozen')).toMatchObject({ account: 'acct0', jobId: 'job-0-0', reason: expect.stringContaining('suspended') });
    expect(readRecord(record).filter((p) => p.account === 'acct0').map((p) => p.job_id)).toEqual(['job-0-0']);
    const rows = (await readLedgerView(ledger)).jobs;
    expect(rows.filter((r) => r.account === 'acct0').map((r) => r.status)).toEqual(['failed', 'pending', 'pending']);
    expect(rows.filter((r) => r.account === 'acct1').every((r) => r.status === 'success')).toBe(true);

    const second = await run({ ledger, cap: 3 });
    expect(second.exitCode).toBe(EXIT.JOBS_LEFT);
    expect(readRecord(record).filter((p) => p.account === 'acct0')).toHaveLength(1);

    // The operator fixed the account.
    vi.stubEnv('DAYCAP_FAIL_PATTERN', undefined);
    expect((await unfreeze({ ledger, account: 'acct0', retry: true })).map((r) => r.job_id)).toEqual(['job-0-0']);
    const third = await run({ ledger, cap: 3 });
    expect(third.exitCode).toBe(EXIT.OK);
    expect(readRecord(record).filter((p) => p.account === 'acct0' && p.ok)).toHaveLength(3);
  });

  it('tells subscribers when a freeze is lifted by retry-failed in the live run, and then runs the account', async () => {
    const dir = tempDir();
    const record = recordIn(dir);
    const [susp, later, other1, other2] = gridJobs(1, 4);
    const suspended = { ...susp!, status: 'failed' as const, attempts: 1, error: 'Your account has been suspended', error_category: 'account', error_type: 'suspended', completed_at: new Date().toISOString() };
    const ledger = writeLedger(dir, [suspended, later!, { ...other1!, account: 'acct1' }, { ...other2!, account: 'acct1' }]);
    // acct1's gap keeps the run alive after its first post; that is when the operator revives the frozen account.
    const runner = await Runner.open({ ledger, handler: { kind: 'module', path: RECORDING }, workers: 2, cap: 4, controlSocket: false, watchLedger: false, pacing: pacing({ minGapMs: 500 }) });
    const events: RunEvent[] = [];
    runner.events.onAny((event) => events.push(event));
    let revived: Promise<unknown> | undefined;
    runner.events.on('job-done', () => {
      revived ??= runner.act({ kind: 'retry-failed', includeNonRetryable: true });
    });
    const { exitCode } = await runner.run();
    await revived;
    expect(events.find((e) => e.type === 'run-started')).toMatchObject({ frozen: [{ account: 'acct0', jobId: susp!.job_id }] });
    expect(events.find((e) => e.type === 'account-unfrozen')).toMatchObject({ account: 'acct0', jobs: 1 });
    expect(exitCode).toBe(EXIT.OK);
    expect(readRecord(record).filter((p) => p.account === 'acct0' && p.ok)).toHaveLength(2);
  });

  it("holds an account's jobs until a platform's retry-after has passed, and writes it in the ledger", async () => {
    const { ledger, record } = setup(1, 2);
    vi.stubEnv('DAYCAP_FAIL_PATTERN', '^job-0-0$');
    vi.stubEnv('DAYCAP_FAIL_ATTEMPTS', '1');
    vi.stubEnv('DAYCAP_FAIL_MESSAGE', 'please slow down');
    vi.stubEnv('DAYCAP_FAIL_RETRY_AFTER_MS', '400');
    const { exitCode, events } = await run({ ledger, cap: 2 });
    expect(exitCode).toBe(EXIT.OK);
    const calls = readRecord(record).sort((a, b) => a.start - b.start);
    expect(calls.map((c) => c.ok)).toEqual([false, true, true]);
    // The platform's 400 ms from the failed call's end (the runner stamps it a moment later still).
    for (const later of calls.slice(1)) expect(later.start - calls[0]!.end).toBeGreaterThanOrEqual(400);
    expect(events.find((e) => e.type === 'account-cooling')).toMatchObject({ account: 'acct0', jobId: 'job-0-0' });
    const failedFirst = (await readLedgerView(ledger)).jobs.find((r) => r.job_id === 'job-0-0')!;
    expect(failedFirst.extra?.cooldown_until).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('pacing in a run', () => {
  it('keeps the minimum gap (plus jitter) between two posts of an account', async () => {
    const { ledger, record } = setup(2, 3);
    const { exitCode } = await run({ ledger, cap: 3, pacing: pacing({ minGapMs: 150, jitterMs: 100 }), random: rng(7).next });
    expect(exitCode).toBe(EXIT.OK);
    const calls = readRecord(record);
    for (const account of ['acct0', 'acct1']) {
      const mine = calls.filter((c) => c.account === account).sort((a, b) => a.start - b.start);
      expect(mine).toHaveLength(3);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.start - mine[i - 1]!.end, account).toBeGreaterThanOrEqual(150);
    }
  });

  it('claims nothing outside the posting window: with atEnd "end" the run ends with the jobs left', async () => {
    const { ledger, record } = setup(2, 1);
    const night = Date.parse('2026-11-29T03:00:00Z'); // 04:00 in Berlin
    const windows = { timeZone: 'Europe/Berlin', ranges: [{ start: '08:00', end: '23:00' }], atEnd: 'end' as const };
    const { exitCode, events } = await run({ ledger, pacing: pacing({ windows }), clock: () => night });
    expect(exitCode).toBe(EXIT.JOBS_LEFT);
    expect(readRecord(record)).toHaveLength(0);
    expect(events.find((e) => e.type === 'window')).toMatchObject({ open: false, until: undefined });
    expect(events.find((e) => e.type === 'worker-idle')).toMatchObject({ blockers: { global: { rule: 'outside-window' } } });
  });

  it('waits for the window to open with atEnd "wait", then posts', async () => {
    const { ledger, record } = setup(2, 1);
    // The injected clock stands 500 ms before 08:00 UTC until the run says it waits for the window,
    // then runs at the real pace: however slow the start-up, the run must wait for the opening.
    const opensAt = Date.parse('2026-11-29T08:00:00Z');
    let waitingSince: number | undefined;
    const clock = () => opensAt - 500 + (waitingSince === undefined ? 0 : Date.now() - waitingSince);
    const windows = { timeZone: 'UTC', ranges: [{ start: '08:00', end: '23:00' }], atEnd: 'wait' as const };
    const runner = await Runner.open({ ledger, handler: { kind: 'module', path: RECORDING }, workers: 3, controlSocket: false, watchLedger: false, pacing: pacing({ windows }), clock });
    const events: RunEvent[] = [];
    runner.events.onAny((event) => {
      if (event.type === 'window' && !event.open) waitingSince ??= Date.now();
      events.push(event);
    });
    const { exitCode } = await runner.run();
    expect(exitCode).toBe(EXIT.OK);
    expect(events.find((e) => e.type === 'window')).toMatchObject({ open: false, until: opensAt });
    const claims = events.filter((e) => e.type === 'job-claimed');
    expect(claims).toHaveLength(2);
    for (const claim of claims) expect(claim.at).toBeGreaterThanOrEqual(opensAt);
    expect(readRecord(record)).toHaveLength(2);
  });

  it('ends instead of waiting longer than maxWait for a held account', async () => {
    const { ledger } = setup(1, 2);
    const { exitCode, events } = await run({ ledger, cap: 2, pacing: pacing({ minGapMs: 3_600_000, maxWaitMs: 60_000 }) });
    expect(exitCode).toBe(EXIT.JOBS_LEFT);
    expect(events.find((e) => e.type === 'warning' && /longest wait/.test(e.message))).toBeDefined();
  });
});

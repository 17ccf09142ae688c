/**
 * Leases and fencing on a shared ledger (G5, G3): a run whose lease runs out has its claims made
 * unconfirmed by a live run, and its own late writes are refused; the run hears it and stops.
 */
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/pg/connection.js';
import { renewLease, type RunnerIdentity } from '../../src/store/pg/leases.js';
import type { StoreNews } from '../../src/store/store.js';
import { until } from '../helpers/time.js';
import { gridJobs } from '../helpers/jobs.js';
import { openCommandStore, openRunStore, pgLedgerUrl, sqlClient, statusesIn, testRules } from '../helpers/pg.js';

const T0 = Date.parse('2026-11-29T20:00:00Z');

/** Makes a run's lease run out now, as if it had been cut off for longer than its lease. */
async function expireLease(url: string, runId: string): Promise<void> {
  const schema = new URL(url).searchParams.get('schema')!;
  const client = await sqlClient();
  try {
    await client.query(`UPDATE "${schema}".runners SET lease_until = now() - interval '1 second' WHERE run_id = $1`, [runId]);
  } finally {
    await client.end();
  }
}

async function seeded(name: string, accounts: number, perAccount: number): Promise<string> {
  const url = pgLedgerUrl(name);
  const store = await openCommandStore(url);
  await store.act({ kind: 'add', jobs: gridJobs(accounts, perAccount) }, T0);
  await store.close({ final: true, label: 'seed' });
  return url;
}

describe('leases', () => {
  it('a run whose lease ran out has its claims adopted as unconfirmed, and its late outcome refused', async () => {
    const url = await seeded('fenced', 2, 1);
    const stale = await openRunStore(url, 'stale');
    const news: StoreNews[] = [];
    stale.subscribe((item) => news.push(item));
    const claim = (await stale.exchange({ runId: 'stale', workerId: 1, now: T0, reports: [], want: 1 })).claimed[0]!;
    await expireLease(url, 'stale');

    const live = await openRunStore(url, 'live');
    const adopted = await live.act({ kind: 'adopt-orphans', runId: 'live' }, T0 + 10);
    expect(adopted.changed.map((row) => [row.job_id, row.status])).toEqual([[claim.job.job_id, 'unconfirmed']]);

    // Back from its pause, the stale run reports the post it made: refused, nothing written.
    await expect(stale.exchange({ runId: 'stale', workerId: 1, now: T0 + 20, reports: [{ kind: 'outcome', jobId: claim.job.job_id, outcome: { ok: true, postId: 'late' } }], want: 1 })).rejects.toThrow(/lease of run stale ran out/);
    expect(news).toContainEqual(expect.objectContaining({ kind: 'failed', reason: 'lock-lost' }));
    expect((await statusesIn(url))[claim.job.job_id]).toBe('unconfirmed');
    // Nothing more is claimed by it either.
    await expect(stale.exchange({ runId: 'stale', workerId: 2, now: T0 + 21, reports: [], want: 1 })).rejects.toThrow(/lease/);
    // The live run verifies: not posted after all, so it may be claimed again.
    const verified = await live.act({ kind: 'verified', verdicts: [{ jobId: claim.job.job_id, verdict: 'not-posted' }] }, T0 + 30);
    expect(verified.changed[0]!.status).toBe('pending');
    await stale.close({ final: false, label: 'stale' });
    await live.close({ final: true, label: 'live' });
  });

  it('a renewal that finds the lease gone stops the run by itself', async () => {
    const url = await seeded('renewal', 1, 1);
    const run = await openRunStore(url, 'short', { leaseMs: 300 });
    const news: StoreNews[] = [];
    run.subscribe((item) => news.push(item));
    await expireLease(url, 'short');
    await until(() => news.some((item) => item.kind === 'failed'));
    expect(news.find((item) => item.kind === 'failed')).toMatchObject({ reason: 'lock-lost' });
    await run.close({ final: false, label: 'short' });
  });

  it('keeps a live run lease renewed, so another run adopts nothing of it', async () => {
    const url = await seeded('renewed', 2, 1);
    const run = await openRunStore(url, 'steady', { leaseMs: 300 });
    await run.exchange({ runId: 'steady', workerId: 1, now: T0, reports: [], want: 1 });
    // Several lease periods pass; the renewals keep it alive.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const other = await openRunStore(url, 'other');
    expect((await other.act({ kind: 'adopt-orphans', runId: 'other' }, T0 + 5)).changed).toEqual([]);
    expect(await other.outlook(T0 + 5, 3)).toMatchObject({ othersInFlight: 1 });
    await run.close({ final: true, label: 'steady' });
    await other.close({ final: true, label: 'other' });
  });

  it('adopts mid-run what a run left claimed when it ended, and says so as news', async () => {
    const url = await seeded('adopt-news', 3, 1);
    const watcher = await openRunStore(url, 'watcher', { leaseMs: 200, rules: testRules(1) });
    await watcher.watch();
    const news: StoreNews[] = [];
    watcher.subscribe((item) => news.push(item));
    const leaver = await openRunStore(url, 'leaver');
    const claim = (await leaver.exchange({ runId: 'leaver', workerId: 1, now: T0, reports: [], want: 1 })).claimed[0]!;
    await leaver.close({ final: false, label: 'leaver' });
    await until(() => news.some((item) => item.kind === 'orphans-adopted'));
    expect(news.find((item) => item.kind === 'orphans-adopted')).toMatchObject({ from: ['leaver'], changed: [expect.objectContaining({ job_id: claim.job.job_id, status: 'unconfirmed' })] });
    await watcher.close({ final: true, label: 'watcher' });
  });

  it('a run stopped inside a transaction holds up the others no longer than its lease', async () => {
    const url = await seeded('stalled-in-transaction', 2, 1);
    const stalled = await openRunStore(url, 'stalled', { leaseMs: 300 });
    const claim = (await stalled.exchange({ runId: 'stalled', workerId: 1, now: T0, reports: [], want: 1 })).claimed[0]!;
    // Its next write has begun and renewed the lease (locking its runners row), then the process
    // stopped (SIGSTOP, Ctrl-Z): the transaction stays open, on a connection of its own store, and
    // its lease timer is still.
    const { db, run, shared_: timers } = stalled as unknown as { db: Database; run: RunnerIdentity; shared_: { stop(): Promise<void> } };
    await timers.stop();
    const client = await db.pool.connect();
    await client.query('BEGIN');
    expect(await renewLease(client, db, run, 'stalled-step')).toBeDefined();
    client.on('error', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Its lease has run out: another run takes over its claim (before, it waited as long as the stalled process slept).
    const live = await openRunStore(url, 'live');
    const adopted = await live.act({ kind: 'adopt-orphans', runId: 'live' }, T0 + 10);
    expect(adopted.changed.map((row) => [row.job_id, row.status])).toEqual([[claim.job.job_id, 'unconfirmed']]);
    // Back, the stalled run finds its session ended; nothing of its transaction was saved.
    await expect(client.query('COMMIT')).rejects.toThrow();
    client.release(true);
    await expect(stalled.exchange({ runId: 'stalled', workerId: 1, now: T0 + 20, reports: [{ kind: 'outcome', jobId: claim.job.job_id, outcome: { ok: true, postId: 'late' } }], want: 1 })).rejects.toThrow(/lease/);
    expect((await statusesIn(url))[claim.job.job_id]).toBe('unconfirmed');
    await stalled.close({ final: false, label: 'stalled' });
    await live.close({ final: true, label: 'live' });
  });

  it('refuses a second live run with the same run id', async () => {
    const url = await seeded('same-id', 1, 1);
    const first = await openRunStore(url, 'twin');
    await expect(openRunStore(url, 'twin')).rejects.toThrow(/already uses run id twin/);
    await first.close({ final: true, label: 'twin' });
  });
});

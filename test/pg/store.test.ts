/**
 * The PostgreSQL store through the Store interface, on the suite's real server: two store instances
 * on one ledger stand for two hosts.
 */
import { describe, expect, it } from 'vitest';
import type { Claim } from '../../src/core/day-state.js';
import type { Store } from '../../src/store/store.js';
import { gridJobs } from '../helpers/jobs.js';
import { sleep } from '../helpers/time.js';
import { openCommandStore, openRunStore, pgLedgerUrl, sqlClient, statusesIn, testRules, testSchema } from '../helpers/pg.js';

const T0 = Date.parse('2026-11-29T20:00:00Z');

async function seed(url: string, accounts: number, perAccount: number): Promise<void> {
  const store = await openCommandStore(url);
  await store.act({ kind: 'add', jobs: gridJobs(accounts, perAccount) }, T0);
  await store.close({ final: true, label: 'seed' });
}

/**
 * `workers` loops on one store, each claiming one job at a time and reporting it posted, until no
 * claim comes back. `busy` is shared by every host: an account claimed while another host's worker
 * still posts for it breaks G2.
 */
async function drive(store: Store, runId: string, workers: number, busy: Map<string, string>, problems: string[], clock: () => number): Promise<number> {
  let posted = 0;
  await Promise.all(Array.from({ length: workers }, async (_, workerId) => {
    let held: Claim | undefined;
    for (;;) {
      const reports = held ? [{ kind: 'outcome' as const, jobId: held.job.job_id, outcome: { ok: true as const, postId: `p-${held.job.job_id}` } }] : [];
      if (held) busy.delete(held.job.account);
      const result = await store.exchange({ runId, workerId, now: clock(), reports, want: 1 });
      if (held) posted += 1;
      held = result.claimed[0];
      if (!held) return;
      const other = busy.get(held.job.account);
      if (other) problems.push(`${held.job.account} claimed by ${runId}/${workerId} while ${other} posts for it (G2)`);
      busy.set(held.job.account, `${runId}/${workerId}`);
    }
  }));
  return posted;
}

describe('the PostgreSQL store', () => {
  it('claims under the cap and one at a time per account across two hosts', async () => {
    const url = pgLedgerUrl('two-hosts');
    await seed(url, 40, 3);
    const rules = testRules(2);
    const [a, b] = await Promise.all([openRunStore(url, 'host-a', { rules }), openRunStore(url, 'host-b', { rules })]);
    const busy = new Map<string, string>();
    const problems: string[] = [];
    let t = T0;
    const clock = () => (t += 1);
    const [byA, byB] = await Promise.all([drive(a, 'host-a', 4, busy, problems, clock), drive(b, 'host-b', 4, busy, problems, clock)]);
    expect(problems).toEqual([]);
    expect(byA + byB).toBe(80);
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    const rows = await a.rows();
    const perAccount = new Map<string, number>();
    for (const row of rows) if (row.status === 'success') perAccount.set(row.account, (perAccount.get(row.account) ?? 0) + 1);
    expect([...perAccount.values()].every((n) => n === 2)).toBe(true);
    expect((await a.tally()).counts).toMatchObject({ success: 80, pending: 40, claimed: 0 });
    const outlook = await b.outlook(t, 3);
    expect(outlook).toMatchObject({ claimable: false, othersInFlight: 0, retry: undefined });
    await Promise.all([a.close({ final: true, label: 'a' }), b.close({ final: true, label: 'b' })]);
  });

  it('tells an idle host what the others hold, so it waits instead of ending the day', async () => {
    const url = pgLedgerUrl('others');
    await seed(url, 1, 2);
    const [a, b] = await Promise.all([openRunStore(url, 'host-a', { rules: testRules(2) }), openRunStore(url, 'host-b', { rules: testRules(2) })]);
    const claim = await a.exchange({ runId: 'host-a', workerId: 1, now: T0, reports: [], want: 1 });
    expect(claim.claimed).toHaveLength(1);
    expect(await b.outlook(T0, 3)).toMatchObject({ claimable: false, othersInFlight: 1 });
    expect(await a.outlook(T0, 3)).toMatchObject({ othersInFlight: 0 });
    const nothing = await b.exchange({ runId: 'host-b', workerId: 1, now: T0, reports: [], want: 1 });
    expect(nothing.claimed).toEqual([]);
    const done = await a.exchange({ runId: 'host-a', workerId: 1, now: T0 + 1, reports: [{ kind: 'outcome', jobId: claim.claimed[0]!.job.job_id, outcome: { ok: true, postId: 'p' } }], want: 0 });
    expect(done.settled[0]!.status).toBe('success');
    expect(await b.outlook(T0 + 2, 3)).toMatchObject({ claimable: true, othersInFlight: 0 });
    const second = await b.exchange({ runId: 'host-b', workerId: 1, now: T0 + 2, reports: [], want: 1 });
    expect(second.claimed).toHaveLength(1);
    expect(await statusesIn(url)).toEqual({ 'job-0-0': 'success', 'job-0-1': 'claimed' });
    await Promise.all([a.close({ final: true, label: 'a' }), b.close({ final: true, label: 'b' })]);
  });

  it('decides on the rows as they are once it holds the account, not as they were when its step began', async () => {
    const schema = testSchema();
    const url = pgLedgerUrl('late-rows', schema);
    await seed(url, 1, 2);
    const b = await openRunStore(url, 'host-b', { rules: testRules(2) });
    const first = await b.exchange({ runId: 'host-b', workerId: 1, now: T0, reports: [], want: 1 });
    expect(first.claimed.map((claim) => claim.job.job_id)).toEqual(['job-0-0']);
    // Another host's step holds the account while it claims the account's second job.
    const other = await sqlClient();
    await other.query('BEGIN');
    await other.query(`SELECT 1 FROM ${schema}.accounts WHERE account = 'acct0' FOR UPDATE`);
    // Host B reports its post and asks for more: its step waits for the account.
    const settling = b.exchange({ runId: 'host-b', workerId: 1, now: T0 + 1, reports: [{ kind: 'outcome', jobId: 'job-0-0', outcome: { ok: true, postId: 'p' } }], want: 1 });
    for (;;) {
      const seen = await other.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`);
      if (Number(seen.rows[0]!.n) > 0) break;
      await sleep(20);
    }
    await other.query(`UPDATE ${schema}.jobs SET status = 'claimed', run_id = 'host-a', worker_id = '1', claimed_at = '2026-11-29T20:00:00Z', claimed_at_ms = $1 WHERE job_id = 'job-0-1'`, [T0]);
    await other.query('COMMIT');
    await other.end();
    const settled = await settling;
    expect(settled.settled.map((row) => row.status)).toEqual(['success']);
    // The second job is host A's now: host B must not claim it too (G2), nor count the account short of its cap.
    expect(settled.claimed).toEqual([]);
    expect(await statusesIn(url)).toEqual({ 'job-0-0': 'success', 'job-0-1': 'claimed' });
    await b.close({ final: true, label: 'b' });
  });
});

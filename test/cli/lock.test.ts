// What the CLI adds to the ledger lock (G6): exit 3 and the holder's name for a command that finds
// the ledger in use, and DAYCAP_LOCK_STALE_MS. The lock itself is tested in test/ledger/lock/, its
// races between processes in test/faults/lock.test.ts.
import { describe, expect, it } from 'vitest';
import { daycap, hasStack, startHeldRun } from '../helpers/cli.js';
import { copyFixture, fixture, listTree, tempDir } from '../helpers/files.js';
import { statuses } from '../helpers/ledgers.js';
import { fakeHolder } from '../helpers/locks.js';

describe('a ledger held by a run', () => {
  it('a second run, a seed and reset-day exit 3 naming the holder; status and validate still work', async () => {
    const { dir, ledger, env, first, release } = await startHeldRun();
    try {
      const second = await daycap(['run', '--ledger', ledger, '--handler', 'simulate'], { cwd: dir, env });
      expect(second.code).toBe(3);
      expect(second.stderr).toMatch(/is in use by .*daycap run/);
      expect(second.stderr).toContain(`pid ${first.child.pid}`);
      expect(hasStack(second.stderr)).toBe(false);

      const seed = await daycap(['seed', '--ledger', ledger, '--state', fixture('cli/states/new-batch-a-and-b.json')], { cwd: dir });
      expect(seed.code).toBe(3);
      expect(seed.stderr).toContain('is in use by');

      // retry-failed and release-stale reach the live run instead (test/cli/control.test.ts).
      const blocked = await daycap(['reset-day', '--ledger', ledger], { cwd: dir });
      expect(blocked.code).toBe(3);
      expect(blocked.stderr).toContain('is in use by');

      const status = await daycap(['status', '--ledger', ledger], { cwd: dir });
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(`live from run`);
      expect(status.stdout).toContain(`(pid ${first.child.pid})`);
      expect((await daycap(['validate', '--ledger', ledger], { cwd: dir })).code).toBe(0);
    } finally {
      release();
    }
    const ended = await first.done;
    expect(ended.code).toBe(4); // the dead run's claim stays unconfirmed
    expect(await statuses(ledger)).toEqual({ 'crash-a-1': 'unconfirmed', 'calm-b-1': 'success' });
  });
});

describe('DAYCAP_LOCK_STALE_MS', () => {
  it('sets how long a silent holder keeps the ledger, for read-only and mutating commands alike', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/claim-from-dead-run.csv', dir, 'progress.csv');
    // A holder on another host, silent for 3 s: within the default stale time (20 s).
    await fakeHolder(ledger, { pid: 4242, hostname: 'posting-elsewhere' }, 3000);
    const held = await daycap(['status', '--ledger', ledger], { cwd: dir });
    expect(held.stdout).toContain('a run is in progress (pid 4242 on host posting-elsewhere');
    const refused = await daycap(['reset-day', '--ledger', ledger], { cwd: dir });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`ledger ${ledger} is in use by pid 4242 on host posting-elsewhere`);

    const env = { DAYCAP_LOCK_STALE_MS: '2000' };
    const free = await daycap(['status', '--ledger', ledger], { cwd: dir, env });
    expect(free.code, free.stderr).toBe(0);
    expect(free.stdout).not.toContain('in progress');
    const reset = await daycap(['reset-day', '--ledger', ledger], { cwd: dir, env });
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain("Archived the day's ledger");
  });

  it('is refused with exit 2, before anything is touched, unless a whole number of milliseconds of at least 1', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/claim-from-dead-run.csv', dir, 'progress.csv');
    const before = listTree(dir);
    for (const [value, args] of [['soon', ['status']], ['0', ['reset-day']], ['1.5', ['run', '--handler', 'simulate']]] as const) {
      const result = await daycap([...args, '--ledger', ledger], { cwd: dir, env: { DAYCAP_LOCK_STALE_MS: value } });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`DAYCAP_LOCK_STALE_MS must be a whole number of milliseconds, at least 1, not "${value}"`);
      expect(hasStack(result.stderr)).toBe(false);
    }
    expect(listTree(dir)).toEqual(before);
  });
});

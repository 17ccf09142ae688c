// `daycap unfreeze`: on the file when no run holds the ledger, and done by a live run beside it
// (kept alive by a handler that sleeps), whose idle worker then claims the account's jobs.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLedgerLock } from '../../src/ledger/lock/index.js';
import { daycap, hasStack, start } from '../helpers/cli.js';
import { bytes, tempDir } from '../helpers/files.js';
import { readRows, statuses, writeLedgerRows, writeVideosOf } from '../helpers/ledgers.js';


/** acct_susp was suspended this morning (its failed row freezes it) and has another job waiting; acct_1 and acct_2 are fine. */
function frozenLedger(dir: string): string {
  return writeLedgerRows(dir, [
    'p1,acct_1,v/p1.mp4,first,pending,,,,,0,3,,,,,,',
    'p2,acct_2,v/p2.mp4,second,success,0,2025-12-14T07:00:00.000Z,2025-12-14T07:00:03.000Z,,1,3,,,,1,r0ld01,post-2',
    'susp-1,acct_susp,v/susp-1.mp4,Account trouble,failed,1,2025-12-14T08:00:00.000Z,2025-12-14T08:00:04.000Z,Your account has been suspended,1,3,,suspended,account,1,r0ld01,',
    'susp-2,acct_susp,v/susp-2.mp4,Waiting behind the freeze,pending,,,,,0,3,,,,,,',
  ]);
}

async function row(ledger: string, jobId: string): Promise<Record<string, string>> {
  return (await readRows(ledger)).find((r) => r['job_id'] === jobId)!;
}

describe('daycap unfreeze with no live run', () => {
  it('puts the row that froze the account back to pending with fresh attempts; the account is no longer frozen', async () => {
    const dir = tempDir();
    const ledger = frozenLedger(dir);
    expect((await daycap(['status', '--ledger', ledger], { cwd: dir })).stdout).toMatch(/^frozen accounts: 1 /m);

    const result = await daycap(['unfreeze', '--ledger', ledger, '--account', 'acct_susp'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('account acct_susp unfrozen: 1 failed job back to pending; its pending jobs may be claimed again: susp-1\n');
    expect(await row(ledger, 'susp-1')).toMatchObject({ status: 'pending', attempts: '0', error: '', error_type: '', error_category: '' });
    expect(await statuses(ledger)).toEqual({ p1: 'pending', p2: 'success', 'susp-1': 'pending', 'susp-2': 'pending' });

    const status = await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir });
    expect((JSON.parse(status.stdout) as { frozen: unknown[] }).frozen).toEqual([]);
  });

  it('--no-retry skips the row that froze the account instead', async () => {
    const dir = tempDir();
    const ledger = frozenLedger(dir);
    const result = await daycap(['unfreeze', '--ledger', ledger, '--account', 'acct_susp', '--no-retry'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('account acct_susp unfrozen: 1 failed job skipped; its pending jobs may be claimed again: susp-1\n');
    const skipped = await row(ledger, 'susp-1');
    expect(skipped).toMatchObject({ status: 'skipped', attempts: '1' });
    expect(skipped['error']).toContain('Your account has been suspended');
    expect(await statuses(ledger)).toMatchObject({ 'susp-1': 'skipped', 'susp-2': 'pending' });
  });

  it('says an account that is not frozen is not frozen, and changes nothing', async () => {
    const dir = tempDir();
    const ledger = frozenLedger(dir);
    const before = await bytes(ledger);
    const result = await daycap(['unfreeze', '--ledger', ledger, '--account', 'acct_1'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('account acct_1 is not frozen\n');
    expect(await bytes(ledger)).toEqual(before);
  });

  it('follows the configuration\'s health rules: a category the file makes freezing is unfrozen too', async () => {
    const dir = tempDir();
    const ledger = writeLedgerRows(dir, [
      'bad-1,acct_vid,v/bad-1.mp4,Broken video,failed,1,2025-12-14T08:00:00.000Z,2025-12-14T08:00:04.000Z,video corrupted: moov atom not found,1,3,,corrupted_video,content,1,r0ld01,',
      'bad-2,acct_vid,v/bad-2.mp4,Next one,pending,,,,,0,3,,,,,,',
    ]);
    // With the built-in rules a content failure does not freeze its account.
    expect((await daycap(['unfreeze', '--ledger', ledger, '--account', 'acct_vid'], { cwd: dir })).stdout).toBe('account acct_vid is not frozen\n');

    await writeFile(join(dir, 'daycap.config.json'), JSON.stringify({ health: { freezeCategories: ['account', 'content'] } }));
    const status = await daycap(['status', '--ledger', ledger], { cwd: dir });
    expect(status.stdout).toMatch(/^ {2}acct_vid {2}content\/corrupted_video: video corrupted: moov atom not found \(job bad-1\)$/m);
    const result = await daycap(['unfreeze', '--ledger', ledger, '--account', 'acct_vid'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('account acct_vid unfrozen: 1 failed job back to pending; its pending jobs may be claimed again: bad-1\n');
    expect(await statuses(ledger)).toEqual({ 'bad-1': 'pending', 'bad-2': 'pending' });
  });

  it('without --account is a usage error (exit 2), before the ledger is touched', async () => {
    const dir = tempDir();
    const ledger = frozenLedger(dir);
    const before = await bytes(ledger);
    const result = await daycap(['unfreeze', '--ledger', ledger], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("required option '--account <name>' not specified");
    expect(hasStack(result.stderr)).toBe(false);
    expect(await bytes(ledger)).toEqual(before);
  });

  it('a missing ledger is exit 2; a ledger another command holds is exit 3', async () => {
    const dir = tempDir();
    const missing = await daycap(['unfreeze', '--ledger', join(dir, 'nope.csv'), '--account', 'acct_susp'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no ledger at');

    const ledger = frozenLedger(dir);
    const before = await bytes(ledger);
    const lock = await acquireLedgerLock(ledger, { command: 'daycap test-holder' });
    try {
      const held = await daycap(['unfreeze', '--ledger', ledger, '--account', 'acct_susp'], { cwd: dir });
      expect(held.code).toBe(3);
      expect(held.stderr).toContain('daycap test-holder');
      expect(hasStack(held.stderr)).toBe(false);
    } finally {
      await lock.release();
    }
    expect(await bytes(ledger)).toEqual(before);
  });
});

/**
 * A handler for the live run: job susp-1 fails the first time with a suspension (which freezes
 * its account); every other post sleeps until the run stops it, so the run stays alive.
 */
const SUSPENDING_HANDLER = `
import { existsSync, writeFileSync } from 'node:fs';
export default async function post(job, ctx) {
  const mark = process.env.DAYCAP_TEST_MARK + '.' + job.job_id;
  if (job.job_id === 'susp-1' && !existsSync(mark)) {
    writeFileSync(mark, '');
    throw new Error('Your account has been suspended');
  }
  await new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, 600000);
    ctx.signal.addEventListener('abort', () => { clearTimeout(timer); reject(new Error('aborted while sleeping')); }, { once: true });
  });
  return { postId: 'slow-' + job.job_id };
}
`;

describe('daycap unfreeze beside a live run', () => {
  it('is done by the run, whose idle worker then claims the account\'s jobs', async () => {
    const dir = tempDir();
    const ledger = writeLedgerRows(dir, [
      'p1,acct_1,v/p1.mp4,first,pending,,,,,0,3,,,,,,',
      'susp-1,acct_susp,v/susp-1.mp4,Suspended during the run,pending,,,,,0,3,,,,,,',
      'susp-2,acct_susp,v/susp-2.mp4,Waiting behind the freeze,pending,,,,,0,3,,,,,,',
    ]);
    // The run's pre-flight looks for every video it would post.
    writeVideosOf(ledger);
    const handler = join(dir, 'suspending.mjs');
    await writeFile(handler, SUSPENDING_HANDLER);

    // Worker 0 sleeps on p1; worker 1's job suspends acct_susp, and then its only work is held by the freeze.
    const run = start(['run', '--ledger', ledger, '--handler', handler, '--workers', '2', '--grace', '200ms'], { cwd: dir, env: { DAYCAP_TEST_MARK: join(dir, 'mark') } });
    const log = await run.waitFor(/worker \d idle: .*1 frozen/);
    const runId = /run (\w+) started/.exec(log)![1]!;
    expect(log).toMatch(/account acct_susp FROZEN for the day: account\/suspended: Your account has been suspended \(job susp-1\)/);
    expect(log).not.toMatch(/claimed job susp-2/);
    const pid = run.child.pid!;

    const other = await daycap(['unfreeze', '--ledger', ledger, '--account', 'acct_1'], { cwd: dir });
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).toBe(`run ${runId} (pid ${pid}): account acct_1 is not frozen\n`);

    const result = await daycap(['unfreeze', '--ledger', ledger, '--account', 'acct_susp'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`run ${runId} (pid ${pid}): account acct_susp unfrozen: 1 failed job back to pending; its pending jobs may be claimed again: susp-1\n`);
    const after = await run.waitFor(/unfrozen by the operator[^]*claimed job susp-\d \(account: acct_susp\)/);
    expect(after).toContain('account acct_susp unfrozen by the operator: 1 failed job changed; its jobs may be claimed again');

    const live = JSON.parse((await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir })).stdout) as { source: string; frozen: unknown[]; counts: Record<string, number> };
    expect(live.source).toBe('live');
    expect(live.frozen).toEqual([]);
    expect(live.counts).toMatchObject({ claimed: 2, failed: 0 });

    expect((await daycap(['stop', '--ledger', ledger], { cwd: dir })).code).toBe(0);
    expect((await run.done).code).toBe(130);
    // Once the run has ended, the ledger has no failed row left, so the account is not frozen.
    expect(Object.values(await statuses(ledger))).not.toContain('failed');
  });
});

import { spawnSync } from 'node:child_process';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { newJob } from '../../../src/core/job.js';
import { DaycapError, LockHeldError } from '../../../src/errors.js';
import { serializeLedger } from '../../../src/ledger/codec.js';
import { acquireLedgerLock, readLockHolder } from '../../../src/ledger/lock/index.js';
import { lockPath, ownerPath, stateDir } from '../../../src/ledger/paths.js';
import { LedgerStore, readLedgerView } from '../../../src/ledger/store.js';
import { tempDir } from '../helpers.js';

async function ledgerWithJobs(): Promise<string> {
  const ledger = join(await tempDir(), 'progress.csv');
  await writeFile(ledger, serializeLedger([newJob({ job_id: 'a' }), newJob({ job_id: 'b', status: 'success' })]));
  return ledger;
}

describe('ledger lock', () => {
  it('keeps a second taker off, naming the holder from owner.json', async () => {
    const ledger = await ledgerWithJobs();
    const lock = await acquireLedgerLock(ledger, { command: 'daycap run', now: () => Date.UTC(2026, 10, 29, 22, 1, 3, 456) });
    expect(JSON.parse(await readFile(ownerPath(ledger), 'utf8'))).toEqual({ pid: process.pid, hostname: hostname(), command: 'daycap run', started: '2026-11-29T22:01:03Z' });
    const error = await acquireLedgerLock(ledger, { command: 'daycap seed' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as LockHeldError).code).toBe('LEDGER_LOCKED');
    expect((error as LockHeldError).message).toBe(`ledger ${ledger} is in use by pid ${process.pid} on host ${hostname()} (daycap run, since 2026-11-29T22:01:03Z)`);
    await expect(LedgerStore.open(ledger, { command: 'daycap retry-failed' })).rejects.toBeInstanceOf(LockHeldError);
    await lock.release();
  });

  it('lets read-only commands work beside the holder, and tells them who it is', async () => {
    const ledger = await ledgerWithJobs();
    const store = await LedgerStore.open(ledger, { command: 'daycap run' });
    await store.commit([newJob({ job_id: 'a', status: 'claimed', worker_id: '1' })]);
    const view = await readLedgerView(ledger);
    expect(view.jobs.map((j) => j.status)).toEqual(['claimed', 'success']);
    expect(view.journalRecords).toBe(1);
    expect(await readLockHolder(ledger)).toMatch(new RegExp(`^pid ${process.pid} on host .*\\(daycap run, since `));
    await store.close(undefined, 'test');
  });

  it('release is idempotent, removes owner.json, and frees the ledger', async () => {
    const ledger = await ledgerWithJobs();
    const lock = await acquireLedgerLock(ledger, { command: 'daycap run' });
    await lock.release();
    await lock.release();
    expect(() => lock.assertHeld()).toThrow(DaycapError);
    expect(await readLockHolder(ledger)).toBeUndefined();
    await expect(readFile(ownerPath(ledger))).rejects.toMatchObject({ code: 'ENOENT' });
    const again = await acquireLedgerLock(ledger, { command: 'daycap run' });
    expect(again.tookOverFrom).toBeUndefined();
    await again.release();
  });

  it('works before the ledger exists', async () => {
    const ledger = join(await tempDir(), 'new.csv');
    const lock = await acquireLedgerLock(ledger, { command: 'daycap seed' });
    expect(await readLockHolder(ledger)).toContain('daycap seed');
    await lock.release();
  });

  it('takes over a lock whose holder died, and says from whom', async () => {
    const ledger = await ledgerWithJobs();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    await mkdir(lockPath(ledger));
    await mkdir(stateDir(ledger), { recursive: true });
    await writeFile(ownerPath(ledger), JSON.stringify({ pid: dead, hostname: hostname(), command: 'daycap run', started: '2026-11-29T22:01:03Z' }));
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPath(ledger), old, old);
    expect(await readLockHolder(ledger, 2000)).toBeUndefined();
    const lock = await acquireLedgerLock(ledger, { command: 'daycap run', staleMs: 2000 });
    expect(lock.tookOverFrom).toBe(`pid ${dead} on host ${hostname()} (daycap run, since 2026-11-29T22:01:03Z), which stopped without releasing it`);
    await lock.release();
  });
});

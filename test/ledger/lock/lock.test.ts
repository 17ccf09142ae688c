// Taking, refusing, releasing and taking over the ledger lock (G6), on real files in one process.
// Races between processes are in test/faults/lock.test.ts.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { DaycapError, LockHeldError } from '../../../src/errors.js';
import { acquireLedgerLock, readLockHolder } from '../../../src/ledger/lock/index.js';
import { ownerPath } from '../../../src/ledger/paths.js';
import { LedgerStore } from '../../../src/ledger/store.js';
import { tempDir } from '../../helpers/files.js';
import { deadPid, fakeHolder, lockableLedger, lockSnapshot } from '../../helpers/locks.js';

describe('taking the ledger lock', () => {
  it('keeps a second taker off, naming the holder from owner.json', async () => {
    const ledger = lockableLedger();
    const lock = await acquireLedgerLock(ledger, { command: 'daycap run', now: () => Date.UTC(2026, 10, 29, 22, 1, 3, 456) });
    expect(JSON.parse(await readFile(ownerPath(ledger), 'utf8'))).toEqual({ pid: process.pid, hostname: hostname(), command: 'daycap run', started: '2026-11-29T22:01:03Z' });
    const error = await acquireLedgerLock(ledger, { command: 'daycap seed' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as LockHeldError).code).toBe('LEDGER_LOCKED');
    expect((error as LockHeldError).message).toBe(`ledger ${ledger} is in use by pid ${process.pid} on host ${hostname()} (daycap run, since 2026-11-29T22:01:03Z)`);
    await expect(LedgerStore.open(ledger, { command: 'daycap retry-failed' })).rejects.toBeInstanceOf(LockHeldError);
    expect(await readLockHolder(ledger)).toMatch(new RegExp(`^pid ${process.pid} on host .*\\(daycap run, since `));
    await lock.release();
  });

  it('release is idempotent, removes owner.json, and frees the ledger', async () => {
    const ledger = lockableLedger();
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
    const ledger = join(tempDir(), 'new.csv');
    const lock = await acquireLedgerLock(ledger, { command: 'daycap seed' });
    expect(await readLockHolder(ledger)).toContain('daycap seed');
    await lock.release();
  });
});

describe('taking over a lock left behind', () => {
  it('takes over at once, without waiting for the stale time, when its holder on this host is dead', async () => {
    const ledger = lockableLedger();
    const dead = deadPid();
    await fakeHolder(ledger, { pid: dead, hostname: hostname() }, 0);
    const lock = await acquireLedgerLock(ledger, { command: 'daycap run' });
    expect(lock.tookOverFrom).toBe(`pid ${dead} on host ${hostname()} (daycap run, since 2025-12-14T09:00:01Z), which stopped without releasing it`);
    expect(JSON.parse(await readFile(ownerPath(ledger), 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('never presumes a holder on another host dead: while fresh it is refused, named, and left as it was', async () => {
    const ledger = lockableLedger();
    await fakeHolder(ledger, { pid: 4242, hostname: 'posting-elsewhere' }, 0);
    const before = await lockSnapshot(ledger);
    const error = await acquireLedgerLock(ledger, { command: 'daycap run' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as Error).message).toBe(`ledger ${ledger} is in use by pid 4242 on host posting-elsewhere (daycap run, since 2025-12-14T09:00:01Z)`);
    expect(await lockSnapshot(ledger)).toEqual(before);
  });

  it('takes over a lock not refreshed for the stale time, and says from whom', async () => {
    const ledger = lockableLedger();
    await fakeHolder(ledger, { pid: 4242, hostname: 'posting-elsewhere' }, 3000);
    // The default stale time (20 s) is not over yet: the holder still counts.
    expect(await readLockHolder(ledger)).toContain('pid 4242 on host posting-elsewhere');
    expect(await readLockHolder(ledger, 2000)).toBeUndefined();
    const lock = await acquireLedgerLock(ledger, { command: 'daycap run', staleMs: 2000 });
    expect(lock.tookOverFrom).toBe('pid 4242 on host posting-elsewhere (daycap run, since 2025-12-14T09:00:01Z), which stopped without releasing it');
    expect(await readLockHolder(ledger, 2000)).toContain(`pid ${process.pid}`);
    await lock.release();
  });
});

// The write guard (src/ledger/lock/owner-guard.ts): once the lock is lost, by a take-over or by its
// directory going, every write through the guarded file layer is refused, the store's included.
import { readFile, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { newJob } from '../../../src/core/job.js';
import { realFileOps } from '../../../src/ledger/fileOps.js';
import { acquireLedgerLock, guardWrites } from '../../../src/ledger/lock/index.js';
import { writeOwner } from '../../../src/ledger/lock/owner.js';
import { journalPath, lockPath, ownerPath } from '../../../src/ledger/paths.js';
import { LedgerStore } from '../../../src/ledger/store.js';
import { lockableLedger } from '../../helpers/locks.js';

/** What another process does when it takes the lock over: a new owner.json, replacing ours by rename. */
function takeOver(ledger: string): Promise<void> {
  return writeOwner(ledger, { pid: 4242, hostname: 'posting-elsewhere', command: 'daycap run', started: '2025-12-14T09:00:01Z' });
}

function losses(): { seen: Error[]; onCompromised: (err: Error) => void } {
  const seen: Error[] = [];
  return { seen, onCompromised: (err) => void seen.push(err) };
}

describe('the write guard', () => {
  it('lets reads through, and refuses every file change once owner.json was replaced', async () => {
    const ledger = lockableLedger();
    const { seen, onCompromised } = losses();
    const lock = await acquireLedgerLock(ledger, { command: 'daycap run', onCompromised });
    const ops = guardWrites(realFileOps, lock);
    const target = join(ledger, '..', 'written.txt');
    await (await ops.open(target, 'w')).close();
    await takeOver(ledger);
    expect(seen).toEqual([]); // nothing noticed yet: the check runs at the next write
    const refused = { code: 'LOCK_COMPROMISED' };
    await expect(ops.open(target, 'a')).rejects.toMatchObject(refused);
    await expect(ops.rename(target, `${target}.2`)).rejects.toMatchObject(refused);
    await expect(ops.link(target, `${target}.3`)).rejects.toMatchObject(refused);
    await expect(ops.unlink(target)).rejects.toMatchObject(refused);
    await expect(ops.copyFileExclusive(target, `${target}.4`)).rejects.toMatchObject(refused);
    expect(await ops.readFile(target)).toEqual(Buffer.alloc(0));
    await (await ops.open(target, 'r')).close();
    expect(seen.map((err) => err.message)).toEqual(['another process took the lock over: pid 4242 on host posting-elsewhere (daycap run, since 2025-12-14T09:00:01Z)']);
    expect(lock.compromised).toBe(true);
    // The lock and owner.json are the new holder's now: releasing leaves them.
    await lock.release();
    expect(JSON.parse(await readFile(ownerPath(ledger), 'utf8'))).toMatchObject({ pid: 4242 });
  });

  it('is the store\'s one lock check: after a take-over, commit, snapshot and close write nothing', async () => {
    const ledger = lockableLedger();
    const { seen, onCompromised } = losses();
    const store = await LedgerStore.open(ledger, { command: 'daycap run', onCompromised });
    await store.commit([newJob({ job_id: 'a', status: 'claimed', worker_id: '1' })]);
    const csv = await readFile(ledger);
    const journal = await readFile(journalPath(ledger));
    await takeOver(ledger);
    expect(store.holdsLock()).toBe(false);
    await expect(store.commit([newJob({ job_id: 'a', status: 'skipped' })])).rejects.toMatchObject({ code: 'LOCK_COMPROMISED' });
    await expect(store.snapshot(store.jobs)).rejects.toMatchObject({ code: 'LOCK_COMPROMISED' });
    await store.close(store.jobs, 'lost');
    expect(await readFile(ledger)).toEqual(csv);
    expect(await readFile(journalPath(ledger))).toEqual(journal);
    expect(seen).toHaveLength(1);
  });

  it('refuses writes too once proper-lockfile finds the lock directory gone', async () => {
    const ledger = lockableLedger();
    let lost: (err: Error) => void = () => undefined;
    const compromised = new Promise<Error>((resolve) => { lost = resolve; });
    const store = await LedgerStore.open(ledger, { command: 'daycap run', staleMs: 2000, onCompromised: (err) => lost(err) });
    const before = await readFile(ledger);
    // Someone removes the lock directory: proper-lockfile notices at its next refresh.
    await rmdir(lockPath(ledger));
    await compromised;
    expect(store.lock!.compromised).toBe(true);
    expect(() => store.lock!.assertHeld()).toThrow(expect.objectContaining({ code: 'LOCK_COMPROMISED' }));
    await expect(store.commit([newJob({ job_id: 'a', status: 'skipped' })])).rejects.toMatchObject({ code: 'LOCK_COMPROMISED' });
    await expect(store.snapshot(store.jobs)).rejects.toMatchObject({ code: 'LOCK_COMPROMISED' });
    await store.close(store.jobs, 'lost');
    expect(await readFile(ledger)).toEqual(before);
  });
});

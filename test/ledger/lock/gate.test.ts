// The lock gate (src/ledger/lock/gate.ts): one process at a time takes or takes over the lock, and a
// gate left by a process killed inside it does not block the ledger for good.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { describe, expect, it } from 'vitest';

import { enterGate } from '../../../src/ledger/lock/gate.js';
import { acquireLedgerLock } from '../../../src/ledger/lock/index.js';
import { lockGatePath, stateDir } from '../../../src/ledger/paths.js';
import { tempDir } from '../../helpers/files.js';
import { deadPid, fakeGate } from '../../helpers/locks.js';

async function ledgerWithStateDir(): Promise<string> {
  const ledger = join(tempDir(), 'progress.csv');
  await mkdir(stateDir(ledger), { recursive: true });
  return ledger;
}

/** Whether `entering` is still waiting a moment from now (a wait, not a timing measurement). */
async function stillWaiting(entering: Promise<unknown>): Promise<boolean> {
  let entered = false;
  void entering.then(() => (entered = true), () => (entered = true));
  await sleep(300);
  return !entered;
}

describe('the lock gate', () => {
  it('lets one in at a time: a taker waits, not refused, until the one inside leaves', async () => {
    const ledger = await ledgerWithStateDir();
    const inside = await enterGate(ledger);
    expect(await readFile(lockGatePath(ledger), 'utf8')).toMatch(new RegExp(`^${process.pid} ${hostname()} [0-9a-f]+$`));
    const taking = acquireLedgerLock(ledger, { command: 'daycap run' });
    expect(await stillWaiting(taking)).toBe(true);
    await inside.leave();
    await (await taking).release();
    expect(existsSync(lockGatePath(ledger))).toBe(false);
  });

  it('leaves only its own gate: one cleared and made again by another process stays', async () => {
    const ledger = await ledgerWithStateDir();
    const gate = await enterGate(ledger);
    await rm(lockGatePath(ledger));
    await fakeGate(lockGatePath(ledger), `${process.pid} ${hostname()}`);
    await gate.leave();
    expect(existsSync(lockGatePath(ledger))).toBe(true);
  });
});

describe('a gate left by a process killed inside it', () => {
  it('is cleared at once when its pid is gone from this host', async () => {
    const ledger = await ledgerWithStateDir();
    await fakeGate(lockGatePath(ledger), `${deadPid()} ${hostname()}`);
    await (await enterGate(ledger)).leave();
    expect(existsSync(lockGatePath(ledger))).toBe(false);
  });

  it('is cleared once old, when its holder is on another host or never wrote its pid', async () => {
    for (const [text, ageMs] of [['4242 posting-elsewhere', 11_000], ['', 3000]] as const) {
      const ledger = await ledgerWithStateDir();
      await fakeGate(lockGatePath(ledger), text, ageMs);
      await (await enterGate(ledger)).leave();
      expect(existsSync(lockGatePath(ledger)), JSON.stringify(text)).toBe(false);
    }
  });

  it('is waited for while young, when its holder on another host may still be inside', async () => {
    const ledger = await ledgerWithStateDir();
    await fakeGate(lockGatePath(ledger), '4242 posting-elsewhere');
    const entering = enterGate(ledger);
    expect(await stillWaiting(entering)).toBe(true);
    await rm(lockGatePath(ledger));
    await (await entering).leave();
  });
});

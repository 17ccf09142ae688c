/** Locks and gates left by other processes, made on disk as those processes would leave them. */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';

import { newJob } from '../../src/core/job.js';
import type { Owner } from '../../src/ledger/lock/index.js';
import { lockPath, ownerPath, stateDir } from '../../src/ledger/paths.js';
import { tempLedger } from './ledgers.js';

/** A ledger to lock: one pending and one posted job, in a folder of its own. */
export function lockableLedger(): string {
  return tempLedger([newJob({ job_id: 'a' }), newJob({ job_id: 'b', status: 'success' })]);
}

/** The pid of a process that has just ended: provably dead on this host (a holder or writer that is gone). */
export function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

/** A lock directory last refreshed `ageMs` ago, held by `owner` (a 'daycap run' by default). */
export async function fakeHolder(ledger: string, owner: Pick<Owner, 'pid' | 'hostname'>, ageMs: number): Promise<void> {
  await mkdir(stateDir(ledger), { recursive: true });
  await mkdir(lockPath(ledger));
  await writeFile(ownerPath(ledger), JSON.stringify({ command: 'daycap run', started: '2025-12-14T09:00:01Z', ...owner }));
  const at = new Date(Date.now() - ageMs);
  await utimes(lockPath(ledger), at, at);
}

/** A gate file (`<pid> <host>`, or empty) last changed `ageMs` ago. */
export async function fakeGate(gate: string, text: string, ageMs = 0): Promise<void> {
  await writeFile(gate, text);
  const at = new Date(Date.now() - ageMs);
  await utimes(gate, at, at);
}

/** What "the lock was left as it was" compares: the lock directory's refresh time, owner.json, the state folder. */
export async function lockSnapshot(ledger: string): Promise<{ lockMtimeMs: number; owner: string; state: string[] }> {
  return {
    lockMtimeMs: (await stat(lockPath(ledger))).mtimeMs,
    owner: await readFile(ownerPath(ledger), 'utf8'),
    state: (await readdir(stateDir(ledger))).sort(),
  };
}

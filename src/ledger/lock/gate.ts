/**
 * The gate: taking, inspecting and taking over the lock happen one process at a time, behind a file
 * created exclusively in the state folder (`lock.gate`), held for the few milliseconds that takes.
 * Without it, two processes that both see a stale lock both remove "it" — the second removes the
 * first one's new lock — and both run (found by test/faults/lock.test.ts: 20 runners racing after a
 * SIGKILL). proper-lockfile's own stale check has the same stat-then-rmdir race, which is why it is
 * never left to decide (see lock.ts).
 *
 * A gate left by a process that died inside it is removed when its pid is gone (same host), or
 * after GATE_STALE_MS; a live holder is waited for, never refused, for up to GATE_WAIT_MS.
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';

import { LockHeldError, storageFailure } from '../../errors.js';
import { errorCode } from '../fileOps.js';
import { ensureStateDir, lockGatePath } from '../paths.js';
import { isPidAlive } from '../pid.js';

/** A holder on another host (or one whose pid may have been reused) is presumed dead after this. */
const GATE_STALE_MS = 10_000;
/** An empty gate: its creator died between creating it and writing its pid, microseconds apart. */
const EMPTY_GATE_STALE_MS = 2000;
const GATE_WAIT_MS = 120_000;

export interface Gate {
  /** Idempotent; removes the gate only if it is still ours. */
  leave(): Promise<void>;
}

/** Waits until this process holds the gate. */
export async function enterGate(ledgerPath: string): Promise<Gate> {
  await ensureStateDir(ledgerPath);
  const gate = lockGatePath(ledgerPath);
  for (const deadline = Date.now() + GATE_WAIT_MS; ;) {
    const entered = await tryCreate(gate, ledgerPath);
    if (entered) return entered;
    const abandoned = await gateAbandoned(gate);
    if (abandoned !== undefined) {
      await clearAbandoned(gate, abandoned);
      continue;
    }
    if (Date.now() > deadline) throw new LockHeldError(ledgerPath, 'another process (its lock gate has been held for two minutes)');
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
  }
}

/** The gate if we created it; undefined if another process holds it. */
async function tryCreate(gate: string, ledgerPath: string): Promise<Gate | undefined> {
  const text = `${process.pid} ${hostname()} ${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(gate, text, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return undefined;
    throw storageFailure(`could not lock ledger ${ledgerPath}`, err);
  }
  const mine = await readGate(gate);
  let left = false;
  return {
    async leave() {
      if (left) return;
      left = true;
      // Ours only: held past GATE_STALE_MS (stopped?), it may have been cleared and taken since.
      if (sameGate(await readGate(gate), mine)) await unlink(gate).catch(() => undefined);
    },
  };
}

/**
 * A gate file as found. Its text ("<pid> <host> <token>") and inode together tell one gate from a
 * later one: a filesystem may give a new file the inode number of one just removed (found by
 * test/ledger/lock/gate.test.ts), and the token differs between any two gates.
 */
interface GateFile {
  ino: number;
  text: string;
  mtimeMs: number;
}

async function readGate(path: string): Promise<GateFile | undefined> {
  try {
    const [info, text] = await Promise.all([stat(path), readFile(path, 'utf8')]);
    return { ino: info.ino, text, mtimeMs: info.mtimeMs };
  } catch {
    return undefined; // gone already
  }
}

function sameGate(a: GateFile | undefined, b: GateFile | undefined): boolean {
  return a !== undefined && b !== undefined && a.ino === b.ino && a.text === b.text;
}

/** The gate file if it was left by a process that died inside the gate. */
async function gateAbandoned(gate: string): Promise<GateFile | undefined> {
  const found = await readGate(gate);
  if (!found) return undefined; // gone already: just try again
  const [pid, host] = found.text.split(' ');
  let dead: boolean;
  if (host === hostname() && pid !== undefined && !isPidAlive(Number(pid))) dead = true;
  else if (host === undefined) dead = found.mtimeMs < Date.now() - EMPTY_GATE_STALE_MS;
  else dead = found.mtimeMs < Date.now() - GATE_STALE_MS;
  return dead ? found : undefined;
}

/**
 * Renamed away, then checked: if another process cleared the dead gate and made its own in the
 * meantime, that is what we moved, so it is put back (link: never over a newer one).
 */
async function clearAbandoned(gate: string, abandoned: GateFile): Promise<void> {
  const aside = `${gate}.${process.pid}.${randomBytes(4).toString('hex')}.dead`;
  if (!(await rename(gate, aside).then(() => true, () => false))) return;
  if (!sameGate(await readGate(aside), abandoned)) await link(aside, gate).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

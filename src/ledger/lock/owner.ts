/**
 * owner.json: who holds a ledger's lock, for messages like "in use by pid 1234 on host x (daycap
 * run, since …)", and the proof that a holder on this host is dead. A holder writes it (atomically:
 * a new holder's file replaces the old one by rename) and only the holder removes it.
 */
import { readFileSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';

import { writeFileAtomic } from '../atomic.js';
import { errorCode } from '../fileOps.js';
import { ensureStateDir, ownerPath } from '../paths.js';
import { isPidAlive } from '../pid.js';

export interface Owner {
  pid: number;
  hostname: string;
  command: string;
  /** ISO 8601, whole seconds. */
  started: string;
}

export function currentOwner(command: string, now: number): Owner {
  return { pid: process.pid, hostname: hostname(), command, started: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

export function describeOwner(owner: Owner): string {
  return `pid ${owner.pid} on host ${owner.hostname} (${owner.command}, since ${owner.started})`;
}

/** Only a holder on this machine can be known dead; one on another host is never presumed so. */
export function ownerIsDead(owner: Owner): boolean {
  return owner.hostname === hostname() && !isPidAlive(owner.pid);
}

export async function writeOwner(ledgerPath: string, owner: Owner): Promise<void> {
  await ensureStateDir(ledgerPath);
  await writeFileAtomic(ownerPath(ledgerPath), `${JSON.stringify(owner, null, 2)}\n`);
}

/** undefined when missing or unreadable: a holder that has just taken the lock may not have written it yet. */
export async function readOwner(ledgerPath: string): Promise<Owner | undefined> {
  try {
    return parseOwner(await readFile(ownerPath(ledgerPath), 'utf8'));
  } catch {
    return undefined;
  }
}

/** readOwner, synchronously: for the write guard, which must decide before the write it guards. */
export function readOwnerSync(ledgerPath: string): Owner | undefined {
  try {
    return parseOwner(readFileSync(ownerPath(ledgerPath), 'utf8'));
  } catch {
    return undefined;
  }
}

/** undefined when the text is not an owner record. */
export function parseOwner(text: string): Owner | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { pid, hostname: host, command, started } = value as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof host !== 'string' || typeof command !== 'string' || typeof started !== 'string') return undefined;
    return { pid, hostname: host, command, started };
  } catch {
    return undefined;
  }
}

/** Only the holder calls this, before unlocking, so it can never remove the next holder's file. */
export async function removeOwner(ledgerPath: string): Promise<void> {
  try {
    await unlink(ownerPath(ledgerPath));
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
  }
}

/**
 * Shared by the fault tests: ledgers to break, the file tree as bytes (for "nothing was touched"),
 * and the record that the recording handlers keep of every call to post.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { newJob, type Job } from '../../src/core/job.js';
import { serializeLedger } from '../../src/ledger/codec.js';
import { sealedJournalsDir, stateDir } from '../../src/ledger/paths.js';
import { fixture } from '../cli/helpers.js';
import { writeVideos } from '../helpers/tmp.js';

export const RECORDING = fixture('handlers/crash-recording.mjs');
export const RECORDING_VERIFY = fixture('handlers/crash-recording-verify.mjs');
export const WAIT_FOR_FILE = fixture('cli/handlers/wait-for-file.mjs');

/**
 * `perAccount` jobs for each of `accounts` accounts, interleaved so that every account has work early.
 * Video paths are relative to the ledger's folder; writeGridVideos makes them real there.
 */
export function jobGrid(accounts: number, perAccount: number, prefix = 'job'): Job[] {
  const jobs: Job[] = [];
  for (let j = 0; j < perAccount; j++) {
    for (let a = 0; a < accounts; a++) {
      jobs.push(newJob({ job_id: `${prefix}-${a}-${j}`, account: `acct${a}`, video_path: `v/${a}-${j}.mp4`, caption: `caption ${a}/${j}, "quoted"\nsecond line 🌷` }));
    }
  }
  return jobs;
}

export function writeGridLedger(dir: string, accounts: number, perAccount: number, name = 'progress.csv'): string {
  const path = join(dir, name);
  const jobs = jobGrid(accounts, perAccount);
  writeFileSync(path, serializeLedger(jobs));
  writeGridVideos(dir, jobs);
  return path;
}

/** Placeholder videos for a grid's jobs in the ledger's folder `dir`, so `daycap run`'s pre-flight lets it start. */
export function writeGridVideos(dir: string, jobs: readonly Job[]): void {
  writeVideos(dir, jobs.map((job) => job.video_path));
}

/** Every file under `dir` (hidden ones too) with its bytes, minus the names `skip` accepts. */
export function fileTree(dir: string, skip: (rel: string) => boolean = () => false): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { recursive: true })) {
    const rel = String(entry);
    const full = join(dir, rel);
    if (skip(rel) || !statSync(full).isFile()) continue;
    out.set(rel, readFileSync(full));
  }
  return out;
}

/** Names of files that differ between two trees (added, removed or changed). */
export function treeDiff(before: Map<string, Buffer>, after: Map<string, Buffer>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => {
    const a = before.get(name);
    const b = after.get(name);
    return a === undefined || b === undefined || !a.equals(b);
  }).sort();
}

export interface Call {
  job_id: string;
  account: string;
  start: number;
  end: number;
  ok: boolean;
  attempt: number;
  worker: number;
  pid: number;
}

/** The handler's record: one line per call to post, fsync'd before post settled. */
export function readCalls(path: string): Call[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Call);
}

export function sealedJournals(ledger: string): string[] {
  const dir = sealedJournalsDir(ledger);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** Left-over temp files of atomic writes, for this ledger and for its owner.json. */
export function tempFiles(ledger: string): string[] {
  const dir = join(ledger, '..');
  const state = stateDir(ledger);
  const found: string[] = [];
  for (const name of readdirSync(dir)) if (/\.tmp$/.test(name)) found.push(name);
  if (existsSync(state)) for (const name of readdirSync(state)) if (/\.tmp$/.test(name)) found.push(relative(dir, join(state, name)));
  return found.sort();
}

/** A small seeded PRNG (mulberry32): the same seed gives the same kills, so a failure can be replayed. */
export function rng(seed: number): { next(): number; int(lo: number, hi: number): number; pick<T>(items: readonly T[]): T } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it is true (no timing assertion: the test's own timeout is the limit). */
export async function until(check: () => boolean, everyMs = 10): Promise<void> {
  while (!check()) await sleep(everyMs);
}

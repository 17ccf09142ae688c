/**
 * Runs the BUILT `daycap` binary as a real process (no TTY) in a temporary folder, and reads the
 * files it leaves. Build first: `npm run build` (npm test does it through pretest).
 */
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { LEDGER_COLUMNS } from '../../src/core/job.js';
import { writeVideosOf } from '../helpers/tmp.js';

export const BIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
/** The ledger's header line (all seventeen columns), for tests that write rows as text. */
export const HEADER = LEDGER_COLUMNS.join(',');

if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` before the CLI tests`);

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Options {
  cwd: string;
  env?: Record<string, string>;
}

/** Runs `daycap <args>` to its end. */
export function daycap(args: readonly string[], options: Options): Promise<Result> {
  return start(args, options).done;
}

export interface Started {
  child: ChildProcessByStdio<null, Readable, Readable>;
  done: Promise<Result>;
  /** Resolves with stdout so far once a line matching `pattern` has been printed (rejects if the process ends first). */
  waitFor(pattern: RegExp): Promise<string>;
}

/** Starts `daycap <args>` and lets the test watch its output while it runs. */
export function start(args: readonly string[], options: Options): Started {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let stdout = '';
  let stderr = '';
  const watchers: Array<{ pattern: RegExp; resolve: (text: string) => void; reject: (error: Error) => void }> = [];
  const check = () => {
    for (const watcher of [...watchers]) {
      if (watcher.pattern.test(stdout)) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve(stdout);
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    check();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<Result>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const watcher of watchers.splice(0)) {
        watcher.reject(new Error(`daycap ${args.join(' ')} ended (code ${code}) before printing ${watcher.pattern}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      }
      resolve({ code, signal, stdout, stderr });
    });
  });
  const waitFor = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      watchers.push({ pattern, resolve, reject });
      check();
    });
  return { child, done, waitFor };
}

const made: string[] = [];
/** Processes still alive when a test ends (it failed midway) are killed, so they cannot hold a lock or a folder. */
const running = new Set<ChildProcess>();
afterEach(async () => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'daycap-cli-'));
  made.push(dir);
  return dir;
}

/** Copies fixtures/<relative> into `dir` and returns the new path. */
export async function copyFixture(relative: string, dir: string, as?: string): Promise<string> {
  const target = join(dir, as ?? relative.split('/').pop()!);
  await copyFile(join(FIXTURES, relative), target);
  return target;
}

export function fixture(relative: string): string {
  return join(FIXTURES, relative);
}

/** Every entry under `dir` (recursively, hidden ones too), for "nothing was touched" checks. */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

export function bytes(path: string): Promise<Buffer> {
  return readFile(path);
}

/** No stack trace: no `    at …` frame lines. */
export function hasStack(text: string): boolean {
  return /^\s+at /m.test(text);
}

/** The ledger's rows as objects (a small RFC 4180 reader, independent of daycap's own). */
export async function readRows(path: string): Promise<Array<Record<string, string>>> {
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const [header, ...rows] = records.filter((r) => !(r.length === 1 && r[0] === ''));
  return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i] ?? ''])));
}

/** Status of each job, by id. */
export async function statuses(path: string): Promise<Record<string, string>> {
  return Object.fromEntries((await readRows(path)).map((row) => [row['job_id'], row['status']]));
}

/** The local calendar date as YYYYMMDD, as archive names use it. */
export function todayStamp(date = new Date()): string {
  return `${date.getFullYear()}${String(date.getMonth() + 1).padStart(2, '0')}${String(date.getDate()).padStart(2, '0')}`;
}

/**
 * A real `daycap run` kept alive: its one pending job waits in its handler until `release()`, while
 * the ledger's dead claim stays unconfirmed. Resolves once the run has claimed that job.
 */
export async function startHeldRun(): Promise<{ dir: string; ledger: string; env: Record<string, string>; first: Started; release: () => Promise<void> }> {
  const dir = await tempDir();
  const ledger = await copyFixture('cli/ledgers/claim-from-dead-run.csv', dir, 'progress.csv');
  writeVideosOf(ledger);
  const releaseFile = join(dir, 'release');
  const env = { DAYCAP_TEST_RELEASE_FILE: releaseFile };
  const first = start(['run', '--ledger', ledger, '--handler', fixture('cli/handlers/wait-for-file.mjs'), '--workers', '2'], { cwd: dir, env });
  await first.waitFor(/claimed job calm-b-1/);
  return { dir, ledger, env, first, release: () => writeFile(releaseFile, '') };
}

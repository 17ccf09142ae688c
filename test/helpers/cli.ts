/**
 * Runs the BUILT `daycap` binary as a real process (no TTY), as an operator's shell would. Build
 * first: `npm run build` (`npm test` does it).
 */
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, afterEach } from 'vitest';
import { copyFixture, fixture, repoPath, tempDir } from './files.js';
import { writeVideosOf } from './ledgers.js';

export const BIN = repoPath('dist/src/cli/main.js');

/** A handler whose posts wait until the file named by DAYCAP_TEST_RELEASE_FILE exists: it keeps a run alive. */
export const WAIT_FOR_FILE = fixture('cli/handlers/wait-for-file.mjs');
/** A handler whose posts sleep DAYCAP_TEST_SLEEP_MS, ending early (and failing) when the run aborts them. */
export const SLOW_HANDLER = fixture('cli/handlers/slow.mjs');

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

export interface Started {
  child: ChildProcessByStdio<null, Readable, Readable>;
  done: Promise<Result>;
  /** Resolves with stdout so far once a line matching `pattern` has been printed (rejects if the process ends first). */
  waitFor(pattern: RegExp): Promise<string>;
}

/** Every process not yet ended; any still running when the file's tests are over is killed. */
const running = new Set<ChildProcess>();
/** Processes a test watches while they run (`start`): those still alive when the test ends (it failed midway) are killed. */
const watched = new Set<ChildProcess>();

afterEach(() => {
  for (const child of watched) child.kill('SIGKILL');
  watched.clear();
});
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Runs `daycap <args>` to its end. Nothing else is shared between calls, so tests that only use this
 * may run concurrently.
 */
export function daycap(args: readonly string[], options: Options): Promise<Result> {
  return spawnDaycap(args, options).done;
}

/**
 * Starts `daycap <args>` and lets the test watch its output while it runs. The process is killed if
 * it is still running when the test ends, so a test that uses this must not run concurrently.
 */
export function start(args: readonly string[], options: Options): Started {
  const started = spawnDaycap(args, options);
  watched.add(started.child);
  started.child.on('exit', () => watched.delete(started.child));
  return started;
}

function spawnDaycap(args: readonly string[], options: Options): Started {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` before the CLI tests`);
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

/** Whether `text` holds a stack trace (`    at …` frame lines): an operator's mistake must never print one. */
export function hasStack(text: string): boolean {
  return /^\s+at /m.test(text);
}

/**
 * A real `daycap run` of `ledger` on one worker whose first job sleeps for minutes: it stays alive
 * until it is stopped (`daycap stop`, exit 130). Resolves once it has printed `claimed`.
 */
export async function startSleepingRun(dir: string, ledger: string, claimed = /claimed job/): Promise<{ run: Started; log: string; runId: string; pid: number }> {
  const run = start(['run', '--ledger', ledger, '--handler', SLOW_HANDLER, '--workers', '1', '--grace', '200ms'], { cwd: dir, env: { DAYCAP_TEST_SLEEP_MS: '600000' } });
  const log = await run.waitFor(claimed);
  return { run, log, runId: /run (\w+) started/.exec(log)![1]!, pid: run.child.pid! };
}

/**
 * A real `daycap run` kept alive: its one pending job waits in its handler until `release()`, while
 * the ledger's dead claim stays unconfirmed. Resolves once the run has claimed that job.
 */
export async function startHeldRun(): Promise<{ dir: string; ledger: string; env: Record<string, string>; first: Started; release: () => void }> {
  const dir = tempDir();
  const ledger = copyFixture('cli/ledgers/claim-from-dead-run.csv', dir, 'progress.csv');
  writeVideosOf(ledger);
  const releaseFile = join(dir, 'release');
  const env = { DAYCAP_TEST_RELEASE_FILE: releaseFile };
  const first = start(['run', '--ledger', ledger, '--handler', WAIT_FOR_FILE, '--workers', '2'], { cwd: dir, env });
  await first.waitFor(/claimed job calm-b-1/);
  return { dir, ledger, env, first, release: () => writeFileSync(releaseFile, '') };
}

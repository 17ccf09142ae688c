/**
 * This thread's side of the spawner process (spawner.ts), which starts the programs of `command:`
 * posters, verifies and notifiers. fork() costs grow with the forking process's memory, and the
 * runner's is large, so each thread (a worker thread, or the main thread for verify and notify)
 * starts one small spawner at its first program and asks it, over a socket pair, to run each one.
 * If it dies, the programs it was running are stopped and their calls fail; the next call starts a
 * new one. The spawner ends by itself when its thread goes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CommandSpawnerDiedError, CommandUnusableError } from './command-errors.js';
import {
  encodeMessage,
  KILL_GRACE_MS,
  LAUNCH_ARG,
  MessageReader,
  SAVED_NODE_OPTIONS_ENV,
  type SpawnerReply,
  type SpawnerRequest,
  type SpawnExited,
  type SpawnFailed,
} from './spawner-protocol.js';

/**
 * Node flags for the spawner: none of this process's own (its loaders and heap settings are not
 * the spawner's business), and small heaps, because its memory is what every spawn pays for.
 */
const SPAWNER_FLAGS = ['--max-old-space-size=64', '--max-semi-space-size=1'];
/** How much of the spawner's own stderr is kept to explain its death. */
const SPAWNER_STDERR_CAP = 4096;
/** How long after its channel closes the spawner's stderr may take to close, for the last words it holds. */
const STDERR_WAIT_MS = 1000;

/**
 * The compiled spawner, next to this file. When this module runs from its TypeScript source (the
 * tests), the spawner still has to be plain JavaScript for a bare `node`: the compiled copy in dist/.
 */
export const SPAWNER_FILE = fileURLToPath(import.meta.url).endsWith('.ts')
  ? fileURLToPath(new URL('../../dist/src/handlers/spawner.js', import.meta.url))
  : fileURLToPath(new URL('./spawner.js', import.meta.url));

/** This thread's spawner (module state is per thread); started at the first program, replaced after it dies. */
let spawner: Spawner | undefined;

/** Runs `program` with `args` (never through a shell), `env` added; `signal` stops it (SIGTERM, then SIGKILL). */
export function runProgram(program: string, args: string[], env: Record<string, string>, signal: AbortSignal): Promise<SpawnExited | SpawnFailed> {
  if (!spawner) {
    const started = new Spawner(() => {
      if (spawner === started) spawner = undefined;
    });
    spawner = started;
  }
  return spawner.run(program, args, env, signal);
}

/** For tests: the pid of this thread's spawner, if one is running. */
export function spawnerPid(): number | undefined {
  return spawner?.pid;
}

/** The last non-empty line of a program's output: its answer (a post id) or its error. */
export function lastLine(text: string): string {
  const lines = text.split(/\r?\n|\r/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]?.trim();
    if (line) return line;
  }
  return '';
}

interface InFlight {
  resolve: (result: SpawnExited | SpawnFailed) => void;
  reject: (err: Error) => void;
  /** The program's pid once it runs: stopped by us should the spawner die. */
  pid: number | undefined;
  detach: () => void;
}

class Spawner {
  /** The launcher, which exits as soon as the spawner runs. */
  private readonly launcher: ChildProcess;
  private readonly channel: Socket;
  private readonly inFlight = new Map<number, InFlight>();
  private nextId = 1;
  private gone = false;
  private spawnerPid: number | undefined;
  private launchError = '';
  private launcherExit = '';
  private stderrTail = '';
  private failed = false;

  constructor(private readonly onGone: () => void) {
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (env['NODE_OPTIONS'] !== undefined) {
      env[SAVED_NODE_OPTIONS_ENV] = env['NODE_OPTIONS'];
      delete env['NODE_OPTIONS'];
    }
    // execArgv of this process (loaders, heap settings) is deliberately not passed on.
    this.launcher = spawn(process.execPath, [...SPAWNER_FLAGS, SPAWNER_FILE, LAUNCH_ARG], { shell: false, env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    this.channel = this.launcher.stdio[3] as Socket;
    this.watchLauncher();
    this.readReplies();
    this.failWhenGone();
    // An idle spawner must not keep its thread (or a test process) alive.
    this.launcher.unref();
    (this.launcher.stderr as Socket).unref();
    this.channel.unref();
  }

  get pid(): number | undefined {
    return this.gone ? undefined : this.spawnerPid;
  }

  run(program: string, args: string[], env: Record<string, string>, signal: AbortSignal): Promise<SpawnExited | SpawnFailed> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const onAbort = () => this.send({ kill: id });
      signal.addEventListener('abort', onAbort, { once: true });
      this.inFlight.set(id, { resolve, reject, pid: undefined, detach: () => signal.removeEventListener('abort', onAbort) });
      if (this.inFlight.size === 1) this.channel.ref();
      // Written even before the spawner is up: it reads them once it is.
      this.send({ id, program, args, env });
    });
  }

  private watchLauncher(): void {
    const stderr = this.launcher.stderr!;
    this.launcher.on('error', (err: NodeJS.ErrnoException) => {
      if (this.launcher.pid !== undefined) return; // a failed kill or send: not ours to report
      // Could not even start a process (EAGAIN, ENOMEM…): worth retrying later.
      this.launchError = `${err.code ?? 'error'}: ${err.message}`;
      this.channel.destroy();
      stderr.destroy();
    });
    this.launcher.on('exit', (code, signal) => {
      if (code !== 0) this.launcherExit = signal ? `launcher killed by signal ${signal}` : `launcher exited with code ${code}`;
    });
    stderr.setEncoding('utf8');
    stderr.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-SPAWNER_STDERR_CAP);
    });
  }

  private readReplies(): void {
    const reader = new MessageReader<SpawnerReply>((message) => this.onReply(message));
    this.channel.setEncoding('utf8');
    this.channel.on('data', (text: string) => reader.push(text));
    this.channel.on('error', () => {}); // followed by 'close'
  }

  /**
   * The spawner closes its end only by ending. The next call gets a new spawner at once; the calls
   * in flight fail once its stderr, which may hold its last words (a crash, a bad flag), has closed
   * too, or a little later.
   */
  private failWhenGone(): void {
    let stderrClosed = false;
    let channelClosed = false;
    const closed = () => {
      if (stderrClosed && channelClosed) this.failInFlight();
    };
    this.launcher.stderr!.on('close', () => {
      stderrClosed = true;
      closed();
    });
    this.channel.on('close', () => {
      channelClosed = true;
      this.gone = true;
      this.onGone();
      closed();
      setTimeout(() => {
        stderrClosed = true;
        closed();
      }, STDERR_WAIT_MS);
    });
  }

  private send(message: SpawnerRequest): void {
    // When the channel is gone, 'close' is on its way and fails what is in flight.
    if (this.channel.writable) this.channel.write(encodeMessage(message));
  }

  private onReply(message: SpawnerReply): void {
    if ('ready' in message) {
      this.spawnerPid = message.pid;
      return;
    }
    const entry = this.inFlight.get(message.id);
    if (!entry) return;
    if ('pid' in message) {
      entry.pid = message.pid;
      return;
    }
    this.inFlight.delete(message.id);
    entry.detach();
    if (this.inFlight.size === 0) this.channel.unref();
    entry.resolve(message);
  }

  private failInFlight(): void {
    if (this.failed) return;
    this.failed = true;
    const error = this.deathError();
    const entries = [...this.inFlight.values()];
    this.inFlight.clear();
    this.channel.unref();
    for (const entry of entries) {
      entry.detach();
      // The spawner can no longer stop or report the program: stop it here rather than leave it
      // running (it might post after its job was failed and retried).
      if (entry.pid !== undefined) stopOrphan(entry.pid);
      entry.reject(error);
    }
  }

  private deathError(): Error {
    const said = [this.launcherExit, lastLine(this.stderrTail)].filter(Boolean).join('; ');
    if (this.launchError) return new CommandSpawnerDiedError(`command spawner could not be started (${this.launchError})`);
    // Ending before it said ready is a broken setup (a bad flag, a missing file), not bad luck:
    // retrying every job against it would only burn their attempts.
    if (this.spawnerPid === undefined) return new CommandUnusableError(`command spawner could not start${said ? `: ${said}` : ''}`);
    return new CommandSpawnerDiedError(`command spawner died (pid ${this.spawnerPid})${said ? `: ${said}` : ''}`);
  }
}

function stopOrphan(pid: number): void {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
      return true;
    } catch {
      return false; // already gone
    }
  };
  if (signal('SIGTERM')) setTimeout(() => signal('SIGKILL'), KILL_GRACE_MS).unref();
}

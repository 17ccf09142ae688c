/**
 * The built-in `command:` handler: one child process per job, never through a shell, so nothing in
 * a job (captions are free text from operators and scrapers) can be read as shell syntax.
 *
 * The children are not forked from the worker thread's own process: fork() costs grow with the
 * forking process's memory, and the runner's is large. Each worker thread instead starts, at its
 * first command job, a small spawner process (spawner.ts) and asks it, over a socket pair, to run
 * each job's program. If that process dies, the jobs it was running fail retryably (their programs
 * are stopped) and the next job starts a new one. The spawner ends by itself when its thread goes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Job } from '../core/job.js';
import { HandlerUnusableError } from './errors.js';
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
import type { PostContext, PostHandler } from './types.js';

export { parseCommandSpec } from './command-spec.js';
export { KILL_GRACE_MS, OUTPUT_CAP_BYTES } from './spawner-protocol.js';

/**
 * Node flags for the spawner: none of this process's own (its loaders and heap settings are not
 * the spawner's business), and small heaps, because its memory is what every spawn pays for.
 */
const SPAWNER_FLAGS = ['--max-old-space-size=64', '--max-semi-space-size=1'];
/** How much of the spawner's own stderr is kept to explain its death. */
const SPAWNER_STDERR_CAP = 4096;

/**
 * The compiled spawner, next to this file. When this module runs from its TypeScript source (the
 * tests), the spawner still has to be plain JavaScript for a bare `node`: the compiled copy in dist/.
 */
export const SPAWNER_FILE = fileURLToPath(import.meta.url).endsWith('.ts')
  ? fileURLToPath(new URL('../../dist/src/handlers/spawner.js', import.meta.url))
  : fileURLToPath(new URL('./spawner.js', import.meta.url));

/**
 * Whole-argument placeholders. `--caption={caption}` is deliberately NOT substituted: partial
 * substitution invites quoting bugs; such programs should read DAYCAP_CAPTION instead.
 */
const PLACEHOLDERS: Record<string, (job: Job, ctx: PostContext) => string> = {
  '{job_id}': (job) => job.job_id,
  '{account}': (job) => job.account,
  '{video_path}': (job) => job.video_path,
  '{caption}': (job) => job.caption,
  '{attempt}': (_job, ctx) => String(ctx.attempt),
  '{worker_id}': (_job, ctx) => String(ctx.workerId),
};

/** Errors a failed spawn reports when the program itself is the problem, not the platform. */
const UNUSABLE_SPAWN_CODES = new Set(['ENOENT', 'EACCES', 'ENOTDIR', 'EISDIR', 'ENOEXEC']);

/**
 * A program that cannot be started is the operator's problem: reported as category
 * 'infrastructure', type 'command_unusable', retryable false, so jobs are not retried against a
 * broken setup (`daycap retry-failed` revives them once it is fixed).
 */
export class CommandUnusableError extends Error {
  readonly category = 'infrastructure';
  readonly type = 'command_unusable';
  readonly retryable = false;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'CommandUnusableError';
  }
}

/**
 * The spawner died (or could not be started) while running a job. The job's program may not have
 * finished, so this is an infrastructure failure worth retrying; the next job starts a new spawner.
 */
export class CommandSpawnerDiedError extends Error {
  readonly category = 'infrastructure';
  readonly type = 'command_spawner_died';
  readonly retryable = true;
  constructor(message: string) {
    super(message);
    this.name = 'CommandSpawnerDiedError';
  }
}

export function createCommandHandler(argv: string[]): PostHandler {
  const [program, ...args] = argv;
  if (program === undefined || program === '') throw new HandlerUnusableError('command handler: no program given');
  if (!existsSync(SPAWNER_FILE)) {
    throw new HandlerUnusableError(`command handler: its spawner ${SPAWNER_FILE} is missing (is daycap built? run \`npm run build\`)`);
  }
  return (job, ctx) => runCommand(program, args.map((arg) => PLACEHOLDERS[arg]?.(job, ctx) ?? arg), job, ctx);
}

async function runCommand(program: string, args: string[], job: Job, ctx: PostContext): Promise<string> {
  if (ctx.signal.aborted) throw new Error(`command ${program} not started: aborted`);
  const env = {
    DAYCAP_JOB_ID: job.job_id,
    DAYCAP_ACCOUNT: job.account,
    DAYCAP_VIDEO_PATH: job.video_path,
    DAYCAP_CAPTION: job.caption,
    DAYCAP_ATTEMPT: String(ctx.attempt),
    DAYCAP_WORKER_ID: String(ctx.workerId),
  };
  const result = await currentSpawner().run(program, args, env, ctx.signal);
  if ('spawnError' in result) {
    const { code, message } = result.spawnError;
    const reason = `${code ?? 'error'}: ${message}`;
    const cause = Object.assign(new Error(message), code === undefined ? {} : { code });
    throw code !== undefined && UNUSABLE_SPAWN_CODES.has(code)
      ? new CommandUnusableError(`command ${program} cannot be started (${reason})`, { cause })
      : new Error(`command ${program} could not be started (${reason})`, { cause });
  }
  const { code, signal, stdoutTail, stderrTail } = result;
  if (code === 0) return lastLine(stdoutTail);
  const message = lastLine(stderrTail);
  if (ctx.signal.aborted) throw new Error(`command ${program} aborted${message ? `: ${message}` : ''}`);
  if (message) throw new Error(message);
  if (signal) throw new Error(`command killed by signal ${signal}`);
  throw new Error(`command exited with code ${code}`);
}

function lastLine(text: string): string {
  const lines = text.split(/\r?\n|\r/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]?.trim();
    if (line) return line;
  }
  return '';
}

/** This thread's spawner (module state is per worker thread); started at the first job, replaced after it dies. */
let spawner: Spawner | undefined;

function currentSpawner(): Spawner {
  if (!spawner) {
    const started = new Spawner(() => {
      if (spawner === started) spawner = undefined;
    });
    spawner = started;
  }
  return spawner;
}

/** For tests: the pid of this thread's spawner, if one is running. */
export function spawnerPid(): number | undefined {
  return spawner?.pid;
}

interface InFlight {
  resolve: (result: SpawnExited | SpawnFailed) => void;
  reject: (err: Error) => void;
  /** The program's pid once it runs: stopped by us should the spawner die. */
  pid: number | undefined;
  detach: () => void;
}

/** How long after its channel closes the spawner's stderr may take to close, for the last words it holds. */
const STDERR_WAIT_MS = 1000;

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
    this.launcher = spawn(process.execPath, [...SPAWNER_FLAGS, SPAWNER_FILE, LAUNCH_ARG], {
      shell: false,
      env,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    this.channel = this.launcher.stdio[3] as Socket;
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

    const reader = new MessageReader<SpawnerReply>((message) => this.onReply(message));
    this.channel.setEncoding('utf8');
    this.channel.on('data', (text: string) => reader.push(text));
    this.channel.on('error', () => {}); // followed by 'close'
    stderr.setEncoding('utf8');
    stderr.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-SPAWNER_STDERR_CAP);
    });

    // The spawner closes its end only by ending. The next job gets a new spawner at once; the jobs in
    // flight fail once its stderr, which may hold its last words (a crash, a bad flag), has closed
    // too, or a little later.
    let stderrClosed = false;
    let channelClosed = false;
    const closed = () => {
      if (stderrClosed && channelClosed) this.failInFlight();
    };
    stderr.on('close', () => {
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

    // An idle spawner must not keep its thread (or a test process) alive.
    this.launcher.unref();
    (stderr as Socket).unref();
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
    const said = [this.launcherExit, lastLine(this.stderrTail)].filter(Boolean).join('; ');
    let error: Error;
    if (this.launchError) {
      error = new CommandSpawnerDiedError(`command spawner could not be started (${this.launchError})`);
    } else if (this.spawnerPid === undefined) {
      // Ending before it said ready is a broken setup (a bad flag, a missing file), not bad luck:
      // retrying every job against it would only burn their attempts.
      error = new CommandUnusableError(`command spawner could not start${said ? `: ${said}` : ''}`);
    } else {
      error = new CommandSpawnerDiedError(`command spawner died (pid ${this.spawnerPid})${said ? `: ${said}` : ''}`);
    }
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

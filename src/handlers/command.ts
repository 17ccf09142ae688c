/**
 * The built-in `command:` handler: one child process per job, never through a shell, so nothing in
 * a job (captions are free text from operators and scrapers) can be read as shell syntax.
 *
 * The children are not forked from the worker thread's own process: fork() costs grow with the
 * forking process's memory, and the runner's is large. Each worker thread instead starts, at its
 * first command job, a small spawner process (spawner.ts) and asks it over IPC to run each job's
 * program. If that process dies, the jobs it was running fail retryably and the next job starts a
 * new one.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Job } from '../core/job.js';
import { HandlerUnusableError } from './errors.js';
import {
  KILL_GRACE_MS,
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
 * Node flags for the spawner: no inherited flags (execArgv: [] drops a parent's loaders and heap
 * settings) and small heaps, because its memory is what every spawn pays for.
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

class Spawner {
  private readonly child: ChildProcess;
  private readonly inFlight = new Map<number, InFlight>();
  private nextId = 1;
  private gone = false;
  private ready = false;
  private stderrTail = '';

  constructor(private readonly onGone: () => void) {
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (env['NODE_OPTIONS'] !== undefined) {
      env[SAVED_NODE_OPTIONS_ENV] = env['NODE_OPTIONS'];
      delete env['NODE_OPTIONS'];
    }
    this.child = fork(SPAWNER_FILE, [], {
      execPath: process.execPath,
      execArgv: SPAWNER_FLAGS,
      env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child.on('message', (message: SpawnerReply) => this.onReply(message));
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-SPAWNER_STDERR_CAP);
    });
    this.child.on('error', (err: NodeJS.ErrnoException) => {
      // A failed fork; errors of a live process (a failed send or kill) are followed by 'close'.
      if (this.child.pid === undefined) {
        this.fail(new CommandSpawnerDiedError(`command spawner could not be started (${err.code ?? 'error'}: ${err.message})`));
      }
    });
    // 'disconnect' without the process ending would be a broken spawner: make sure it ends.
    this.child.on('disconnect', () => this.child.kill('SIGKILL'));
    // 'close' comes after the exit and after every message it sent has been read.
    this.child.on('close', (code, signal) => {
      const how = `${signal ? `killed by signal ${signal}` : `exited with code ${code}`}${this.stderrTail ? ` (${lastLine(this.stderrTail)})` : ''}`;
      // Dying before it said ready is a broken installation (bad flags, a missing file), not bad luck:
      // retrying every job against it would only burn their attempts.
      if (this.ready) this.fail(new CommandSpawnerDiedError(`command spawner died: ${how}`));
      else this.fail(new CommandUnusableError(`command spawner could not start: ${how}`));
    });
    // An idle spawner must not keep its thread (or a test process) alive.
    this.idle();
  }

  get pid(): number | undefined {
    return this.gone ? undefined : this.child.pid;
  }

  run(program: string, args: string[], env: Record<string, string>, signal: AbortSignal): Promise<SpawnExited | SpawnFailed> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const onAbort = () => this.send({ kill: id });
      signal.addEventListener('abort', onAbort, { once: true });
      this.inFlight.set(id, { resolve, reject, pid: undefined, detach: () => signal.removeEventListener('abort', onAbort) });
      if (this.inFlight.size === 1) this.child.ref();
      this.send({ id, program, args, env });
    });
  }

  private send(message: SpawnerRequest): void {
    // When the channel is gone, 'close' is on its way and fails what is in flight.
    if (this.child.connected) this.child.send(message);
  }

  private onReply(message: SpawnerReply): void {
    if ('ready' in message) {
      this.ready = true;
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
    if (this.inFlight.size === 0) this.idle();
    entry.resolve(message);
  }

  private idle(): void {
    this.child.unref();
    this.child.channel?.unref();
    (this.child.stderr as { unref?: () => void } | null)?.unref?.();
  }

  private fail(error: Error): void {
    if (this.gone) return;
    this.gone = true;
    this.onGone();
    const entries = [...this.inFlight.values()];
    this.inFlight.clear();
    this.idle();
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

/**
 * The built-in `command:` handler: one child process per job, never through a shell, so nothing in
 * a job (captions are free text from operators and scrapers) can be read as shell syntax.
 */
import { spawn } from 'node:child_process';
import type { Job } from '../core/job.js';
import { HandlerUnusableError } from './errors.js';
import type { PostContext, PostHandler } from './types.js';

export { parseCommandSpec } from './command-spec.js';

/** Only the tail of each stream matters (last line); the cap keeps a chatty program from eating memory. */
export const OUTPUT_CAP_BYTES = 64 * 1024;
/** How long a child gets to exit after SIGTERM before SIGKILL. */
export const KILL_GRACE_MS = 2000;
/** After the child exits, how long its stdio may stay open (a grandchild holding the pipe) before we stop reading. */
const STDIO_DRAIN_MS = 1000;

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

export function createCommandHandler(argv: string[]): PostHandler {
  const [program, ...args] = argv;
  if (program === undefined || program === '') throw new HandlerUnusableError('command handler: no program given');
  return (job, ctx) => runCommand(program, args.map((arg) => PLACEHOLDERS[arg]?.(job, ctx) ?? arg), job, ctx);
}

function runCommand(program: string, args: string[], job: Job, ctx: PostContext): Promise<string> {
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) {
      reject(new Error(`command ${program} not started: aborted`));
      return;
    }
    const child = spawn(program, args, {
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DAYCAP_JOB_ID: job.job_id,
        DAYCAP_ACCOUNT: job.account,
        DAYCAP_VIDEO_PATH: job.video_path,
        DAYCAP_CAPTION: job.caption,
        DAYCAP_ATTEMPT: String(ctx.attempt),
        DAYCAP_WORKER_ID: String(ctx.workerId),
      },
    });
    const stdout = new TailBuffer(OUTPUT_CAP_BYTES);
    const stderr = new TailBuffer(OUTPUT_CAP_BYTES);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      ctx.signal.removeEventListener('abort', onAbort);
      action();
    };
    const onAbort = () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    child.on('error', (err: NodeJS.ErrnoException) => {
      // 'error' also fires when kill() fails on an already-dead child; only a failed spawn matters.
      if (child.pid !== undefined) return;
      const reason = `${err.code ?? 'error'}: ${err.message}`;
      finish(() =>
        reject(
          err.code !== undefined && UNUSABLE_SPAWN_CODES.has(err.code)
            ? new CommandUnusableError(`command ${program} cannot be started (${reason})`, { cause: err })
            : new Error(`command ${program} could not be started (${reason})`, { cause: err }),
        ),
      );
    });
    child.on('exit', () => {
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, STDIO_DRAIN_MS);
      drainTimer.unref();
    });
    child.on('close', (code, signal) => {
      finish(() => {
        if (code === 0) {
          resolve(lastLine(stdout.text()));
          return;
        }
        const message = lastLine(stderr.text());
        if (ctx.signal.aborted) reject(new Error(`command ${program} aborted${message ? `: ${message}` : ''}`));
        else if (message) reject(new Error(message));
        else if (signal) reject(new Error(`command killed by signal ${signal}`));
        else reject(new Error(`command exited with code ${code}`));
      });
    });
  });
}

function lastLine(text: string): string {
  const lines = text.split(/\r?\n|\r/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]?.trim();
    if (line) return line;
  }
  return '';
}

class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    // Compact only when well over the cap so a stream of small chunks costs O(n), not O(n × cap).
    if (this.size > this.cap * 2) this.compact();
  }

  text(): string {
    this.compact();
    return Buffer.concat(this.chunks).toString('utf8');
  }

  private compact(): void {
    if (this.size <= this.cap) return;
    const all = Buffer.concat(this.chunks);
    const tail = Buffer.from(all.subarray(all.length - this.cap));
    this.chunks = [tail];
    this.size = tail.length;
  }
}

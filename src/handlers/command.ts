/**
 * The built-in `command:` handler and `command:` verify: one child process per job (or per verify),
 * never through a shell, so nothing in a job (captions are free text from operators and scrapers)
 * can be read as shell syntax. The programs are started by a small spawner process
 * (spawner-client.ts), not forked from this large one.
 *
 * Both get the job's fields as whole-argument placeholders and in the environment
 * (docs/handlers.md#the-command-handler). A poster's exit code 0 means posted; a verify's exit code
 * says posted (0), not posted (3) or unknown (anything else).
 */
import { existsSync } from 'node:fs';
import type { Job } from '../core/job.js';
import { CommandUnusableError } from './command-errors.js';
import { expandArgs } from './command-spec.js';
import { HandlerUnusableError } from './errors.js';
import { lastLine, runProgram, SPAWNER_FILE } from './spawner-client.js';
import type { SpawnExited, SpawnFailed } from './spawner-protocol.js';
import type { PostContext, PostHandler, VerifyHandler, VerifyResult } from './types.js';

export { parseCommandSpec } from './command-spec.js';
export { CommandSpawnerDiedError, CommandUnusableError } from './command-errors.js';
export { SPAWNER_FILE, spawnerPid } from './spawner-client.js';
export { KILL_GRACE_MS, OUTPUT_CAP_BYTES } from './spawner-protocol.js';

/** A verify program's exit code that means "not posted"; 0 means posted, anything else unknown. */
export const VERIFY_NOT_POSTED_EXIT = 3;

/** Errors a failed spawn reports when the program itself is the problem, not the platform. */
const UNUSABLE_SPAWN_CODES = new Set(['ENOENT', 'EACCES', 'ENOTDIR', 'EISDIR', 'ENOEXEC']);

/** A job's fields as the placeholders and the environment give them to a program. */
interface JobFields {
  job_id: string;
  account: string;
  video_path: string;
  caption: string;
  attempt: string;
  worker_id: string;
}

function jobFields(job: Job, attempt: number, workerId: number | string): JobFields {
  return { job_id: job.job_id, account: job.account, video_path: job.video_path, caption: job.caption, attempt: String(attempt), worker_id: String(workerId) };
}

function jobEnv(fields: JobFields): Record<string, string> {
  return {
    DAYCAP_JOB_ID: fields.job_id,
    DAYCAP_ACCOUNT: fields.account,
    DAYCAP_VIDEO_PATH: fields.video_path,
    DAYCAP_CAPTION: fields.caption,
    DAYCAP_ATTEMPT: fields.attempt,
    DAYCAP_WORKER_ID: fields.worker_id,
  };
}

function requireRunnable(argv: readonly string[], what: string): [string, string[]] {
  const [program, ...args] = argv;
  if (program === undefined || program === '') throw new HandlerUnusableError(`${what}: no program given`);
  if (!existsSync(SPAWNER_FILE)) {
    throw new HandlerUnusableError(`${what}: its spawner ${SPAWNER_FILE} is missing (is daycap built? run \`npm run build\`)`);
  }
  return [program, args];
}

export function createCommandHandler(argv: string[]): PostHandler {
  const [program, args] = requireRunnable(argv, 'command handler');
  return (job, ctx) => postWithCommand(program, args, job, ctx);
}

async function postWithCommand(program: string, args: string[], job: Job, ctx: PostContext): Promise<string> {
  if (ctx.signal.aborted) throw new Error(`command ${program} not started: aborted`);
  const fields = jobFields(job, ctx.attempt, ctx.workerId);
  const result = await runProgram(program, expandArgs(args, fields), jobEnv(fields), ctx.signal);
  if ('spawnError' in result) throw spawnFailure(program, result);
  const { code, signal, stdoutTail, stderrTail } = result;
  if (code === 0) return lastLine(stdoutTail);
  const message = lastLine(stderrTail);
  if (ctx.signal.aborted) throw new Error(`command ${program} aborted${message ? `: ${message}` : ''}`);
  if (message) throw new Error(message);
  if (signal) throw new Error(`command killed by signal ${signal}`);
  throw new Error(`command exited with code ${code}`);
}

/** A program that could not be started at all: the setup's fault (not retried) or bad luck (retried). */
function spawnFailure(program: string, result: SpawnFailed): Error {
  const { code, message } = result.spawnError;
  const reason = `${code ?? 'error'}: ${message}`;
  const cause = Object.assign(new Error(message), code === undefined ? {} : { code });
  return code !== undefined && UNUSABLE_SPAWN_CODES.has(code)
    ? new CommandUnusableError(`command ${program} cannot be started (${reason})`, { cause })
    : new Error(`command ${program} could not be started (${reason})`, { cause });
}

/**
 * `--verify 'command:…'`: asks a program whether an unconfirmed job was posted. It is given the
 * attempt that was in flight and the worker that ran it. Exit 0 is posted (the last line of stdout
 * is the post id, if any), exit 3 is not posted; any other exit, a signal, a program that cannot
 * be started and a timeout (the signal) are unknown, so the job waits for an operator.
 */
export function createCommandVerify(argv: string[]): VerifyHandler {
  const [program, args] = requireRunnable(argv, 'command verify');
  return async (job, ctx): Promise<VerifyResult> => {
    const fields = jobFields(job, job.attempts + 1, job.worker_id);
    const result = await runProgram(program, expandArgs(args, fields), jobEnv(fields), ctx.signal);
    return verdictOf(result, ctx.signal);
  };
}

function verdictOf(result: SpawnExited | SpawnFailed, signal: AbortSignal): VerifyResult {
  if ('spawnError' in result || signal.aborted) return 'unknown';
  if (result.code === VERIFY_NOT_POSTED_EXIT) return 'not-posted';
  if (result.code !== 0) return 'unknown';
  const postId = lastLine(result.stdoutTail);
  return postId ? { verdict: 'posted', postId } : 'posted';
}

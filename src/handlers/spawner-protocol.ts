/**
 * What the command handler (in a worker thread) and its spawner process (spawner.ts) say to each
 * other, and the limits both sides share. Kept free of other imports: the spawner loads only this
 * and node builtins, so it stays small.
 *
 * The channel is a socket pair on the spawner's fd 3 carrying one JSON message per line. It is not
 * Node's fork() IPC because the spawner is not the handler's child: a short-lived launcher starts it
 * and exits (see spawner.ts), so that when the spawner ends it is reaped by init rather than left a
 * zombie of a worker thread that is gone.
 */

/** The spawner's end of the channel. */
export const CHANNEL_FD = 3;
/** argv[2] that makes spawner.js act as the launcher. */
export const LAUNCH_ARG = '--launch';

/** Only the tail of each stream matters (last line); the cap keeps a chatty program from eating memory. */
export const OUTPUT_CAP_BYTES = 64 * 1024;
/** How long a child gets to exit after SIGTERM before SIGKILL. */
export const KILL_GRACE_MS = 2000;
/** After the child exits, how long its stdio may stay open (a grandchild holding the pipe) before we stop reading. */
export const STDIO_DRAIN_MS = 1000;
/**
 * NODE_OPTIONS is meant for the programs the spawner runs, not for the spawner (a `--require` or a
 * big heap there would undo the point of a small process): the handler moves it here and the
 * spawner puts it back into the environment its children get.
 */
export const SAVED_NODE_OPTIONS_ENV = 'DAYCAP_SPAWNER_SAVED_NODE_OPTIONS';

/** Run `program` with `args` (never through a shell), with `env` added to the spawner's environment. */
export interface SpawnRequest {
  id: number;
  program: string;
  args: string[];
  env: Record<string, string>;
}

/** Stop request `kill`: SIGTERM, then SIGKILL after KILL_GRACE_MS. */
export interface KillRequest {
  kill: number;
}

export type SpawnerRequest = SpawnRequest | KillRequest;

/** Sent once, first: the spawner started. Dying before this means it cannot start at all. */
export interface SpawnerReady {
  ready: true;
  pid: number;
}

/** The child is running (sent so the handler can still stop it should the spawner die). */
export interface SpawnStarted {
  id: number;
  pid: number;
}

/** The child ended and its output is read; the tails are the last OUTPUT_CAP_BYTES of each stream. */
export interface SpawnExited {
  id: number;
  code: number | null;
  signal: string | null;
  stdoutTail: string;
  stderrTail: string;
}

/** The child could not be started at all (e.g. ENOENT, EACCES). */
export interface SpawnFailed {
  id: number;
  spawnError: { code?: string; message: string };
}

export type SpawnerReply = SpawnerReady | SpawnStarted | SpawnExited | SpawnFailed;

export function encodeMessage(message: SpawnerRequest | SpawnerReply): string {
  // JSON.stringify escapes newlines inside strings, so a line is exactly one message.
  return `${JSON.stringify(message)}\n`;
}

/** Splits a utf8 text stream into messages, one per line. */
export class MessageReader<T> {
  private partial = '';
  constructor(private readonly onMessage: (message: T) => void) {}

  push(text: string): void {
    let start = 0;
    let end = text.indexOf('\n');
    if (end < 0) {
      this.partial += text;
      return;
    }
    let line = this.partial + text.slice(0, end);
    this.partial = '';
    for (;;) {
      if (line !== '') this.onMessage(JSON.parse(line) as T);
      start = end + 1;
      end = text.indexOf('\n', start);
      if (end < 0) break;
      line = text.slice(start, end);
    }
    this.partial = text.slice(start);
  }
}

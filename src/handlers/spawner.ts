/**
 * The command handler's spawner: a small Node process, one per worker thread, that runs the jobs'
 * programs. fork() costs grow with the forking process's memory, so spawning from this process
 * (a few MB of heap) instead of the runner's (100+ MB) is what makes `command:` fast.
 *
 * It runs each requested program with shell: false (arguments arrive as a finished array and are
 * never parsed), keeps the last OUTPUT_CAP_BYTES of stdout and stderr, and replies when the child
 * has ended. It exits by itself when its channel closes (its worker thread or the whole runner is
 * gone), stopping the children it still runs first, so it never leaves orphans behind.
 *
 * Started as `spawner.js --launch`, it is the launcher instead: it starts the real spawner, passing
 * on its stderr and the channel, and exits at once. The spawner is thereby re-parented to init,
 * which reaps it when it ends; as the direct child of a worker thread it would stay a zombie once
 * that thread is gone, since only the thread's own event loop waits for its children.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  CHANNEL_FD,
  encodeMessage,
  KILL_GRACE_MS,
  LAUNCH_ARG,
  MessageReader,
  OUTPUT_CAP_BYTES,
  SAVED_NODE_OPTIONS_ENV,
  STDIO_DRAIN_MS,
  type SpawnerReply,
  type SpawnerRequest,
  type SpawnRequest,
} from './spawner-protocol.js';

function launch(): void {
  const spawner = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    shell: false,
    stdio: ['ignore', 'ignore', 'inherit', CHANNEL_FD],
  });
  if (spawner.pid !== undefined) process.exit(0);
  spawner.on('error', (err) => {
    process.stderr.write(`daycap spawner launcher: ${err.message}\n`);
    process.exit(1);
  });
}

interface Running {
  child: ChildProcess;
  killTimer: NodeJS.Timeout | undefined;
}

function serve(): void {
  // The children get the environment the handler's thread had, NODE_OPTIONS included.
  const savedNodeOptions = process.env[SAVED_NODE_OPTIONS_ENV];
  delete process.env[SAVED_NODE_OPTIONS_ENV];
  if (savedNodeOptions !== undefined) process.env['NODE_OPTIONS'] = savedNodeOptions;

  // Ctrl-C and SIGTERM reach the whole process group; the runner handles them (it lets jobs in
  // flight finish), so the spawner stays until the runner lets go of the channel.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});

  new Spawner(new net.Socket({ fd: CHANNEL_FD, readable: true, writable: true }));
}

/** Runs the programs the channel asks for and answers each with how it ended. */
class Spawner {
  private readonly running = new Map<number, Running>();
  private shuttingDown = false;
  /** Read once: every read of process.env goes through getenv, and spreading it per spawn is measurable. */
  private readonly baseEnv: Record<string, string | undefined> = { ...process.env };

  constructor(private readonly channel: net.Socket) {
    channel.setEncoding('utf8');
    const reader = new MessageReader<SpawnerRequest>((message) => {
      if ('kill' in message) this.stop(message.kill);
      else this.start(message);
    });
    const shutDown = () => this.shutDown();
    channel.on('data', (text: string) => reader.push(text));
    channel.on('end', shutDown);
    channel.on('close', shutDown);
    channel.on('error', shutDown);
    this.reply({ ready: true, pid: process.pid });
  }

  private reply(message: SpawnerReply): void {
    if (!this.shuttingDown) this.channel.write(encodeMessage(message));
  }

  private start(request: SpawnRequest): void {
    let child: ChildProcess;
    try {
      child = spawn(request.program, request.args, {
        shell: false,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...this.baseEnv, ...request.env },
        // A process group of its own: Ctrl-C in the terminal signals daycap's group, and a post in
        // flight must get the run's grace period rather than die with it. The runner stops it
        // (stop() below) when the grace runs out, and so does this spawner when it shuts down.
        detached: true,
      });
    } catch (err) {
      // Some failures (ENOEXEC, ENOTDIR, invalid arguments) are thrown rather than emitted.
      this.replyFailed(request.id, err);
      return;
    }
    this.follow(request.id, child);
  }

  /** Keeps the tails of the child's output and replies once it has ended and its pipes are closed. */
  private follow(id: number, child: ChildProcess): void {
    const entry: Running = { child, killTimer: undefined };
    this.running.set(id, entry);
    if (child.pid !== undefined) this.reply({ id, pid: child.pid });

    const stdout = new TailBuffer(OUTPUT_CAP_BYTES);
    const stderr = new TailBuffer(OUTPUT_CAP_BYTES);
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));

    let done = false;
    let drainTimer: NodeJS.Timeout | undefined;
    child.on('error', (err) => {
      // 'error' also fires when kill() fails on an already-dead child; only a failed spawn matters.
      if (child.pid !== undefined || done) return;
      done = true;
      this.running.delete(id);
      this.replyFailed(id, err);
    });
    child.on('exit', () => {
      drainTimer = setTimeout(() => {
        child.stdout!.destroy();
        child.stderr!.destroy();
      }, STDIO_DRAIN_MS);
    });
    child.on('close', (code, signal) => {
      if (child.pid === undefined || done) return;
      done = true;
      clearTimeout(entry.killTimer);
      clearTimeout(drainTimer);
      this.running.delete(id);
      this.reply({ id, code, signal, stdoutTail: stdout.text(), stderrTail: stderr.text() });
      if (this.shuttingDown && this.running.size === 0) process.exit(0);
    });
  }

  private replyFailed(id: number, err: unknown): void {
    const error = err as Partial<NodeJS.ErrnoException> | undefined;
    const spawnError: { code?: string; message: string } = { message: String(error?.message ?? err) };
    if (typeof error?.code === 'string') spawnError.code = error.code;
    this.reply({ id, spawnError });
  }

  private stop(id: number): void {
    const entry = this.running.get(id);
    if (!entry || entry.killTimer !== undefined) return;
    signalGroup(entry.child, 'SIGTERM');
    entry.killTimer = setTimeout(() => signalGroup(entry.child, 'SIGKILL'), KILL_GRACE_MS);
  }

  /** The handler is gone: nobody will read a result, so stop every child and leave. */
  private shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.channel.destroy();
    if (this.running.size === 0) process.exit(0);
    for (const id of this.running.keys()) this.stop(id);
    // Normally the process ends as soon as the last child has; this is the backstop for a
    // grandchild holding a pipe open.
    setTimeout(() => process.exit(0), KILL_GRACE_MS + STDIO_DRAIN_MS + 500).unref();
  }
}

/** The program and whatever it started (a script's own children): its whole process group. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
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
    if (this.size === 0) return '';
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

// Last, once the classes above exist (a class is not hoisted).
if (process.argv[2] === LAUNCH_ARG) launch();
else serve();

/**
 * While the live view owns the terminal, nothing else may write to it: a handler's console.log (a
 * worker thread's stdout is piped into ours), a stray warning, a message on stderr when stderr is
 * the same terminal. Any of those would land in the middle of Ink's frame and break its redraws.
 *
 * `holdOutput` diverts every other write to stdout (and to stderr when stderr is a terminal) into a
 * bounded buffer, and gives Ink a stdout of its own that writes straight to the terminal. `release`
 * puts the streams back and prints what was held, in order, once the screen has been handed back.
 * If the process exits with output still held (a bug report on the way out), it is written then.
 */
import { writeSync } from 'node:fs';

/** Held beyond this, output is counted but dropped (a handler that logs for hours must not fill memory). */
const MAX_HELD_BYTES = 1024 * 1024;

type Write = NodeJS.WriteStream['write'];
type Fd = 1 | 2;

export interface HeldOutput {
  /** The terminal for Ink: writes go straight through; everything else is the real process.stdout. */
  readonly stdout: NodeJS.WriteStream;
  /** Gives the streams back and prints what was held. Idempotent. */
  release(): void;
}

export function holdOutput(): HeldOutput {
  const held = new HeldWrites();
  const out = divert(process.stdout, 1, held);
  const err = process.stderr.isTTY ? divert(process.stderr, 2, held) : undefined;
  let released = false;
  const giveBack = (write: (fd: Fd, data: Buffer) => void) => {
    released = true;
    out.restore();
    err?.restore();
    held.flush(write);
  };

  // A last resort: process.exit() while the view was up (a bug report) must not lose the report.
  const onExit = () => {
    if (!released) giveBack(writeSyncIfAny);
  };
  process.once('exit', onExit);

  return {
    stdout: streamForInk(out.realWrite.bind(process.stdout) as Write),
    release: () => {
      if (released) return;
      process.off('exit', onExit);
      giveBack((fd, data) => void (fd === 1 ? process.stdout : process.stderr).write(data));
    },
  };
}

/** The writes held back, in order, up to MAX_HELD_BYTES; beyond that only their size is kept. */
class HeldWrites {
  private held: Array<{ fd: Fd; data: Buffer }> = [];
  private heldBytes = 0;
  private droppedBytes = 0;

  add(fd: Fd, data: Buffer): void {
    if (this.heldBytes + data.length <= MAX_HELD_BYTES) {
      this.held.push({ fd, data });
      this.heldBytes += data.length;
    } else {
      this.droppedBytes += data.length;
    }
  }

  /** Writes out what was held, then says how much was dropped, if anything was. */
  flush(write: (fd: Fd, data: Buffer) => void): void {
    for (const { fd, data } of this.held.splice(0)) write(fd, data);
    this.heldBytes = 0;
    if (this.droppedBytes > 0) {
      write(2, Buffer.from(`daycap: ${this.droppedBytes} more bytes of output written during the live view were dropped (over ${MAX_HELD_BYTES / 1024 / 1024} MiB); run with --no-tui to keep all of it\n`));
      this.droppedBytes = 0;
    }
  }
}

/** Replaces `stream.write` with one that holds what it is given; `restore` puts the original back. */
function divert(stream: NodeJS.WriteStream, fd: Fd, held: HeldWrites): { realWrite: Write; restore(): void } {
  const original = Object.getOwnPropertyDescriptor(stream, 'write');
  const realWrite = stream.write;
  const hold = function (this: unknown, chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean {
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    const encoding = typeof encodingOrCallback === 'string' ? (encodingOrCallback as BufferEncoding) : undefined;
    held.add(fd, typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk as Uint8Array));
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  } as Write;
  stream.write = hold;
  return {
    realWrite,
    restore: () => {
      // Someone else replaced it since: theirs stays.
      if (stream.write !== hold) return;
      if (original) Object.defineProperty(stream, 'write', original);
      else delete (stream as { write?: Write }).write;
    },
  };
}

/**
 * Ink writes through `stdout.write`, listens for 'resize' and reads columns/rows: all of that goes
 * to the real stream, except that its writes bypass the hold.
 */
function streamForInk(inkWrite: Write): NodeJS.WriteStream {
  return new Proxy(process.stdout, {
    get(target, property) {
      if (property === 'write') return inkWrite;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function writeSyncIfAny(fd: Fd, data: Buffer): void {
  try {
    writeSync(fd, data);
  } catch {
    // The terminal is gone; nothing more can be shown.
  }
}

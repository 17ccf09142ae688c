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

export interface HeldOutput {
  /** The terminal for Ink: writes go straight through; everything else is the real process.stdout. */
  readonly stdout: NodeJS.WriteStream;
  /** Gives the streams back and prints what was held. Idempotent. */
  release(): void;
}

export function holdOutput(): HeldOutput {
  const held: Array<{ fd: 1 | 2; data: Buffer }> = [];
  let heldBytes = 0;
  let droppedBytes = 0;
  let released = false;

  const divert = (stream: NodeJS.WriteStream, fd: 1 | 2) => {
    const original = Object.getOwnPropertyDescriptor(stream, 'write');
    const realWrite = stream.write;
    const hold = function (this: unknown, chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean {
      const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
      const encoding = typeof encodingOrCallback === 'string' ? (encodingOrCallback as BufferEncoding) : undefined;
      const data = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk as Uint8Array);
      if (heldBytes + data.length <= MAX_HELD_BYTES) {
        held.push({ fd, data });
        heldBytes += data.length;
      } else {
        droppedBytes += data.length;
      }
      if (typeof done === 'function') process.nextTick(done as () => void);
      return true;
    } as Write;
    stream.write = hold;
    return {
      realWrite,
      restore: () => {
        if (stream.write !== hold) return;
        if (original) Object.defineProperty(stream, 'write', original);
        else delete (stream as { write?: Write }).write;
      },
    };
  };

  const out = divert(process.stdout, 1);
  const err = process.stderr.isTTY ? divert(process.stderr, 2) : undefined;
  const inkWrite = out.realWrite.bind(process.stdout) as Write;

  // Ink writes through `stdout.write`, listens for 'resize' and reads columns/rows: all of that goes
  // to the real stream, except that its writes bypass the hold.
  const stdout = new Proxy(process.stdout, {
    get(target, property) {
      if (property === 'write') return inkWrite;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });

  const flush = (write: (fd: 1 | 2, data: Buffer) => void) => {
    for (const { fd, data } of held.splice(0)) write(fd, data);
    heldBytes = 0;
    if (droppedBytes > 0) {
      write(2, Buffer.from(`daycap: ${droppedBytes} more bytes of output written during the live view were dropped (over ${MAX_HELD_BYTES / 1024 / 1024} MiB); run with --no-tui to keep all of it\n`));
      droppedBytes = 0;
    }
  };

  // A last resort: process.exit() while the view was up (a bug report) must not lose the report.
  const onExit = () => {
    if (released) return;
    released = true;
    out.restore();
    err?.restore();
    flush((fd, data) => {
      try {
        writeSync(fd, data);
      } catch {
        // The terminal is gone; nothing more can be shown.
      }
    });
  };
  process.once('exit', onExit);

  return {
    stdout,
    release: () => {
      if (released) return;
      released = true;
      process.off('exit', onExit);
      out.restore();
      err?.restore();
      flush((fd, data) => void (fd === 1 ? process.stdout : process.stderr).write(data));
    },
  };
}

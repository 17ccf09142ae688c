/**
 * The live runner's control socket, next to the ledger in its state folder: readable and writable
 * by the owner only. A socket file left by a dead runner is detected (nobody answers) and replaced.
 */
import { chmod, unlink } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { controlSocketPath, ensureStateDir } from '../ledger/paths.js';
import { MAX_SOCKET_PATH, type ControlRequest, type ControlResponse } from './control-protocol.js';

export type ControlHandler = (request: ControlRequest) => Promise<Omit<Extract<ControlResponse, { ok: true }>, 'ok' | 'pid' | 'runId'>>;

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

/** Answers requests until closed; undefined when the path is too long for a Unix socket. */
export async function startControlServer(ledger: string, runId: string, handle: ControlHandler): Promise<ControlServer | undefined> {
  const path = controlSocketPath(ledger);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) return undefined;
  await ensureStateDir(ledger);
  if (await answers(path)) throw new Error(`another process answers on ${path} although this run holds the ledger lock`);
  await unlink(path).catch(() => undefined);
  const server = createServer({ allowHalfOpen: false }, (socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end < 0) {
        if (buffer.length > 64 * 1024) socket.destroy();
        return;
      }
      const line = buffer.slice(0, end);
      buffer = '';
      void reply(line).then((response) => socket.end(`${JSON.stringify(response)}\n`));
    });
    socket.on('error', () => socket.destroy());
  });
  const reply = async (line: string): Promise<ControlResponse> => {
    try {
      const request = JSON.parse(line) as ControlRequest;
      return { ok: true, pid: process.pid, runId, ...(await handle(request)) };
    } catch (error) {
      return { ok: false, pid: process.pid, runId, error: error instanceof Error ? error.message : String(error) };
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(path, 0o600);
  server.unref();
  return {
    path,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      // server.close unlinks the socket file; nothing else to remove.
    }),
  };
}

/** True if a live process accepts connections on the socket. */
export function answers(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (alive: boolean) => {
      socket.destroy();
      resolve(alive);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

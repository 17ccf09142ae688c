/**
 * Talking to a live runner from another terminal. The answer is trusted only from the process that
 * holds the ledger lock (its pid is in owner.json); a stale socket, or a process that is not the
 * lock holder, is treated as no runner at all and the command works on the file as before.
 */
import { connect } from 'node:net';
import { readLockHolder, readOwner, type LockTiming } from '../ledger/lock/index.js';
import { controlSocketPath } from '../ledger/paths.js';
import type { ControlRequest, ControlResponse } from '../runner/control-protocol.js';

export interface AskOptions extends LockTiming {
  /** Default 10 s. */
  timeoutMs?: number | undefined;
}

export async function askRunner(ledger: string, request: ControlRequest, options: AskOptions = {}): Promise<ControlResponse | undefined> {
  if (!(await readLockHolder(ledger, options.staleMs))) return undefined;
  const owner = await readOwner(ledger);
  const response = await exchange(controlSocketPath(ledger), request, options.timeoutMs ?? 10_000);
  if (!response || !owner || response.pid !== owner.pid) return undefined;
  return response;
}

function exchange(path: string, request: ControlRequest, timeoutMs: number): Promise<ControlResponse | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    let text = '';
    const socket = connect(path);
    const finish = (value: ControlResponse | undefined) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(value);
    };
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => finish(undefined));
    socket.once('error', () => finish(undefined));
    socket.once('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end < 0) return;
      try {
        finish(JSON.parse(text.slice(0, end)) as ControlResponse);
      } catch {
        finish(undefined);
      }
    });
    socket.once('end', () => finish(undefined));
  });
}

/**
 * Drives workers/worker.ts the way the runner does: through a real Piscina pool and a MessageChannel.
 * Needs the compiled worker (`npm test` builds first; otherwise run `npm run build`).
 */
import { isPidAlive } from '../../src/ledger/pid.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandlerSpec, MainToWorker, WorkerStart, WorkerToMain } from '../../src/protocol.js';
import { createSimulateHandler } from '../../src/handlers/simulate.js';
import { fixture, repoPath, requireBuilt, tempDir } from '../helpers/files.js';
import { job, postContext } from '../helpers/jobs.js';
import { until } from '../helpers/time.js';

const compiled = repoPath('dist/workers/worker.js');

let pool: Piscina;

beforeAll(() => {
  const handlers = readdirSync(repoPath('src/handlers')).map((name) => `src/handlers/${name}`);
  requireBuilt('dist/workers/worker.js', ['workers/worker.ts', 'src/protocol.ts', ...handlers]);
  pool = new Piscina({ filename: compiled, minThreads: 2, maxThreads: 2, idleTimeout: 60_000 });
});

afterAll(async () => {
  await pool?.destroy();
});

/** The runner's end of one worker loop: send messages, await the next one received. */
class Loop {
  readonly done: Promise<void>;
  private readonly inbox: WorkerToMain[] = [];
  private waiter: (() => void) | undefined;
  private readonly port: MessagePort;

  constructor(handler: HandlerSpec, options: { workerId?: number; jobTimeoutMs?: number; on?: Piscina } = {}) {
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.port.on('message', (message: WorkerToMain) => {
      this.inbox.push(message);
      this.waiter?.();
    });
    const start: WorkerStart = { workerId: options.workerId ?? 1, handler, jobTimeoutMs: options.jobTimeoutMs ?? 0, port: channel.port2 };
    this.done = (options.on ?? pool).run(start, { transferList: [channel.port2] }) as Promise<void>;
    // Observed by the tests that expect it; kept from surfacing as unhandled meanwhile.
    this.done.catch(() => {});
  }

  send(message: MainToWorker): void {
    this.port.postMessage(message);
  }

  async next(): Promise<WorkerToMain> {
    while (this.inbox.length === 0) await new Promise<void>((resolve) => (this.waiter = resolve));
    return this.inbox.shift() as WorkerToMain;
  }

  async stop(): Promise<void> {
    this.send({ type: 'stop' });
    await this.done;
    this.port.close();
  }
}


const moduleSpec = (name: string): HandlerSpec => ({ kind: 'module', path: fixture(`handlers/${name}`) });

describe('worker loop', () => {
  it('says ready, posts each job it is given, and ends on stop', async () => {
    const loop = new Loop(moduleSpec('ok.mjs'), { workerId: 4 });
    expect(await loop.next()).toEqual({ type: 'ready', workerId: 4 });
    for (const id of ['j1', 'j2']) {
      loop.send({ type: 'job', job: job(id), attempt: 1 });
      const message = await loop.next();
      expect(message).toMatchObject({ type: 'outcome', workerId: 4, jobId: id, outcome: { ok: true, postId: `p-${id}` } });
      if (message.type !== 'outcome') throw new Error('unreachable');
      expect(message.endedAt).toBeGreaterThanOrEqual(message.startedAt);
    }
    await loop.stop();
  });

  it('reports a timed-out failure when the handler ignores its signal, and keeps serving', async () => {
    const loop = new Loop(moduleSpec('hangs.mjs'), { jobTimeoutMs: 50 });
    await loop.next();
    for (const id of ['h1', 'h2']) {
      loop.send({ type: 'job', job: job(id), attempt: 1 });
      expect(await loop.next()).toMatchObject({
        type: 'outcome',
        jobId: id,
        outcome: {
          ok: false,
          error: { message: 'job timed out after 0.05s', timedOut: true, category: 'infrastructure', type: 'timeout', retryable: true },
        },
      });
    }
    await loop.stop();
  });

  it('survives a handler that rejects after its timeout, and serves the next job', async () => {
    // simulate honours the signal: it rejects once the worker aborts it, after the outcome is sent.
    const loop = new Loop({ kind: 'simulate', seed: 1, options: { meanLatencyMs: 600_000 } }, { jobTimeoutMs: 20 });
    await loop.next();
    loop.send({ type: 'job', job: job('late'), attempt: 1 });
    expect(await loop.next()).toMatchObject({ jobId: 'late', outcome: { ok: false, error: { timedOut: true } } });
    loop.send({ type: 'job', job: job('after'), attempt: 1 });
    expect(await loop.next()).toMatchObject({ jobId: 'after', outcome: { ok: false, error: { timedOut: true } } });
    await loop.stop();
  });

  it('aborts the job in flight when the runner says so', async () => {
    const loop = new Loop(moduleSpec('hangs.mjs'));
    await loop.next();
    loop.send({ type: 'job', job: job('a1'), attempt: 1 });
    loop.send({ type: 'abort', jobId: 'a1' });
    expect(await loop.next()).toMatchObject({
      jobId: 'a1',
      outcome: { ok: false, error: { message: 'job aborted at shutdown', timedOut: true, retryable: true } },
    });
    await loop.stop();
  });

  it('gives the same simulate results in every thread as in this one', async () => {
    const seed = 11;
    const options = { meanLatencyMs: 0, infrastructureErrorRate: 0.3, accountErrorRate: 0.2 };
    const ids = Array.from({ length: 30 }, (_, i) => `s${i}`);
    const expected = await Promise.all(
      ids.map((id) => createSimulateHandler(seed, options)(job(id), postContext({ attempt: 2 })).then(
        (r) => ({ ok: true, postId: (r as { postId: string }).postId }),
        (e: Error) => ({ ok: false, error: { message: e.message } }),
      )),
    );
    // Two loops, one per thread, each posting every job: the answers must not depend on the thread.
    for (const workerId of [1, 2]) {
      const loop = new Loop({ kind: 'simulate', seed, options }, { workerId });
      await loop.next();
      for (const [i, id] of ids.entries()) {
        loop.send({ type: 'job', job: job(id), attempt: 2 });
        expect(await loop.next()).toMatchObject({ jobId: id, outcome: expected[i] });
      }
      await loop.stop();
    }
  });

  it('turns odd failures and results into plain data', async () => {
    const cases: [string, string, object][] = [
      ['throws-string.mjs', '', { ok: false, error: { message: 'boom' } }],
      ['throws-object.mjs', '', { ok: false, error: { message: 'handler threw a non-Error value: {"weird":true}' } }],
      ['returns-garbage.mjs', 'symbol', { ok: true, postId: '' }],
      ['returns-garbage.mjs', 'function', { ok: true, postId: '' }],
    ];
    for (const [name, caption, outcome] of cases) {
      const loop = new Loop(moduleSpec(name));
      await loop.next();
      loop.send({ type: 'job', job: job('g', { caption }), attempt: 1 });
      expect(await loop.next(), name).toMatchObject({ type: 'outcome', outcome });
      await loop.stop();
    }
  });

  it('runs the command handler in a worker thread', async () => {
    const loop = new Loop({ kind: 'command', argv: [process.execPath, '-e', 'console.log("cmd-" + process.argv[1])', '{account}'] });
    await loop.next();
    loop.send({ type: 'job', job: job('c1'), attempt: 1 });
    expect(await loop.next()).toMatchObject({ outcome: { ok: true, postId: 'cmd-acct-c1' } });
    await loop.stop();
  });

  it("ends the command handler's spawner process, and the program it runs, with its worker thread", async () => {
    const own = new Piscina({ filename: compiled, minThreads: 1, maxThreads: 1 });
    const pidFile = path.join(tempDir(), 'pid');
    let spawner: number;
    let program: number;
    try {
      // `node -e` prints its parent, the thread's spawner; `sleep` writes its pid, then waits forever.
      const loop = new Loop({ kind: 'command', argv: [process.execPath, '{caption}', '{video_path}', pidFile] }, { on: own });
      await loop.next();
      loop.send({ type: 'job', job: job('pp', { caption: '-e', video_path: 'console.log(process.ppid)' }), attempt: 1 });
      const message = await loop.next();
      if (message.type !== 'outcome' || !message.outcome.ok) throw new Error(`unexpected ${JSON.stringify(message)}`);
      spawner = Number(message.outcome.postId);
      expect(spawner).toBeGreaterThan(0);
      expect(spawner).not.toBe(process.pid);
      expect(isPidAlive(spawner)).toBe(true);

      loop.send({ type: 'job', job: job('sl', { caption: fixture('handlers/command-behaviour.mjs'), video_path: 'sleep' }), attempt: 1 });
      await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '');
      program = Number(readFileSync(pidFile, 'utf8'));
      expect(isPidAlive(program)).toBe(true);
    } finally {
      // Ends the thread with the job still running.
      await own.destroy();
    }
    // No orphans: the spawner stops its program and leaves by itself once its thread is gone.
    await until(() => !isPidAlive(program));
    await until(() => !isPidAlive(spawner));
  });

  it.each([
    ['syntax-error.mjs', /syntax-error\.mjs failed to load: SyntaxError: Unexpected token/],
    ['no-default.mjs', /no-default\.mjs must have a default export/],
    ['throws-on-import.mjs', /throws-on-import\.mjs failed to load: cannot read poster config/],
  ])('reports %s as handler-unusable and ends the task', async (name, pattern) => {
    const loop = new Loop(moduleSpec(name), { workerId: 9 });
    const message = await loop.next();
    expect(message).toMatchObject({ type: 'handler-unusable', workerId: 9 });
    if (message.type !== 'handler-unusable') throw new Error('unreachable');
    expect(message.message).toMatch(pattern);
    await loop.done;
  });

  it('lets the pool task reject when a handler ends the thread', async () => {
    const own = new Piscina({ filename: compiled, maxThreads: 1 });
    try {
      const loop = new Loop(moduleSpec('exits.mjs'), { on: own });
      await loop.next();
      loop.send({ type: 'job', job: job('x'), attempt: 1 });
      await expect(loop.done).rejects.toThrow(/exited/);
    } finally {
      await own.destroy();
    }
  });
});

/**
 * The Piscina task: one long-lived loop per worker thread, talking to the runner over the
 * MessagePort in WorkerStart. The runner alone decides what to claim; this side only posts.
 * It imports only the protocol, the handlers and the job type (docs/design.md#the-parts).
 */
import type { Job } from '../src/core/job.js';
import { loadHandler } from '../src/handlers/load.js';
import { toOutcome, toReportedError } from '../src/handlers/outcome.js';
import type { LoadedHandler } from '../src/handlers/types.js';
import type { HandlerSpec, MainToWorker, Outcome, WorkerStart, WorkerToMain } from '../src/protocol.js';

const TIMEOUT_TYPE = 'timeout';
const ABORT_MESSAGE = 'job aborted at shutdown';

/** Piscina reuses threads across tasks; a module handler is imported once per thread, not per loop. */
const handlers = new Map<string, Promise<LoadedHandler>>();

function cachedHandler(spec: HandlerSpec): Promise<LoadedHandler> {
  const key = JSON.stringify(spec);
  let loading = handlers.get(key);
  if (!loading) {
    loading = loadHandler(spec);
    // A failed load is not kept: the next loop tries again (the file may have been fixed).
    loading.catch(() => handlers.delete(key));
    handlers.set(key, loading);
  }
  return loading;
}

interface Running {
  jobId: string;
  stop: (outcome: Outcome) => void;
}

export default async function workerLoop(start: WorkerStart): Promise<void> {
  let handler: LoadedHandler;
  try {
    handler = await cachedHandler(start.handler);
  } catch (err) {
    const message: WorkerToMain = { type: 'handler-unusable', workerId: start.workerId, message: toReportedError(err).message };
    start.port.postMessage(message);
    start.port.close();
    return;
  }
  await new WorkerLoop(start, handler).run();
}

/**
 * One loop's side of its port: it runs the jobs the runner gives, one at a time, and reports each
 * outcome; the runner alone decides what to claim. It ends once the runner has said stop and the
 * job running is reported, or when the runner closes its end of the port.
 */
class WorkerLoop {
  private running: Running | undefined;
  /** Jobs the runner queued behind the running one (it prefetches a few claims per worker). */
  private readonly queued: { job: Job; attempt: number }[] = [];
  private stopping = false;
  private closed = false;
  private end: () => void = () => undefined;

  constructor(private readonly start: WorkerStart, private readonly handler: LoadedHandler) {}

  run(): Promise<void> {
    const { port } = this.start;
    return new Promise<void>((resolve) => {
      this.end = resolve;
      port.on('message', this.onMessage);
      // The runner closing its end means nobody will read our outcomes: end the task rather than hang.
      port.once('close', () => {
        this.closed = true;
        port.off('message', this.onMessage);
        resolve();
      });
      this.send({ type: 'ready', workerId: this.start.workerId });
    });
  }

  private readonly onMessage = (message: MainToWorker): void => {
    switch (message.type) {
      case 'job':
        if (this.stopping) this.send({ type: 'unstarted', workerId: this.start.workerId, jobIds: [message.job.job_id] });
        else if (this.running) this.queued.push({ job: message.job, attempt: message.attempt });
        else this.runJob(message.job, message.attempt);
        break;
      case 'abort':
        if (this.running?.jobId === message.jobId) this.running.stop(interrupted(ABORT_MESSAGE));
        else this.abortQueued(message.jobId);
        break;
      case 'stop':
        this.stopping = true;
        if (this.queued.length > 0) this.send({ type: 'unstarted', workerId: this.start.workerId, jobIds: this.queued.splice(0).map((item) => item.job.job_id) });
        if (!this.running) this.next();
        break;
    }
  };

  private runJob(job: Job, attempt: number): void {
    const { workerId, jobTimeoutMs } = this.start;
    const startedAt = Date.now();
    this.running = execute(this.handler, job, attempt, workerId, jobTimeoutMs, (outcome) => {
      this.running = undefined;
      if (this.closed) return;
      this.send({ type: 'outcome', workerId, jobId: job.job_id, outcome, startedAt, endedAt: Date.now() });
      this.next();
    });
  }

  /** The next queued job, or the end once stopping and nothing is left. */
  private next(): void {
    const item = this.queued.shift();
    if (item) this.runJob(item.job, item.attempt);
    else if (this.stopping) this.close();
  }

  /** A queued job never started: reported as interrupted, so the runner settles it like an aborted one. */
  private abortQueued(jobId: string): void {
    const index = this.queued.findIndex((item) => item.job.job_id === jobId);
    if (index < 0) return;
    const now = Date.now();
    this.queued.splice(index, 1);
    this.send({ type: 'outcome', workerId: this.start.workerId, jobId, outcome: interrupted(ABORT_MESSAGE), startedAt: now, endedAt: now });
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.start.port.off('message', this.onMessage);
    this.start.port.close();
    this.end();
  }

  private send(message: WorkerToMain): void {
    this.start.port.postMessage(message);
  }
}

/**
 * Runs one post, settling exactly once: with the handler's result, or with a timed-out failure
 * when the timer fires or the runner aborts. The handler is raced, not trusted to honour the
 * signal; if it keeps running, its late result is dropped.
 */
function execute(
  handler: LoadedHandler,
  job: Job,
  attempt: number,
  workerId: number,
  jobTimeoutMs: number,
  done: (outcome: Outcome) => void,
): Running {
  const controller = new AbortController();
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  const settle = (outcome: Outcome) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    done(outcome);
  };
  const stop = (outcome: Outcome) => {
    settle(outcome);
    // Aborted after settling so the handler's reaction to the signal cannot win the race.
    controller.abort();
  };

  if (jobTimeoutMs > 0 && Number.isFinite(jobTimeoutMs)) {
    timer = setTimeout(() => stop(interrupted(`job timed out after ${jobTimeoutMs / 1000}s`)), jobTimeoutMs);
  }
  new Promise<unknown>((resolve) => resolve(handler.post(job, { workerId, attempt, signal: controller.signal }))).then(
    (result) => settle(toOutcome(result)),
    (thrown: unknown) => settle({ ok: false, error: toReportedError(thrown) }),
  );
  return { jobId: job.job_id, stop };
}

function interrupted(message: string): Outcome {
  return { ok: false, error: { message, timedOut: true, category: 'infrastructure', type: TIMEOUT_TYPE, retryable: true } };
}

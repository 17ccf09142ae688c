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
  const { workerId, port, jobTimeoutMs } = start;
  const send = (message: WorkerToMain) => port.postMessage(message);

  let handler: LoadedHandler;
  try {
    handler = await cachedHandler(start.handler);
  } catch (err) {
    send({ type: 'handler-unusable', workerId, message: toReportedError(err).message });
    port.close();
    return;
  }

  await new Promise<void>((resolve) => {
    let running: Running | undefined;
    // Jobs the runner queued behind the running one (it prefetches a few claims per worker).
    const queued: { job: Job; attempt: number }[] = [];
    let stopping = false;
    let closed = false;

    const close = () => {
      if (closed) return;
      closed = true;
      port.off('message', onMessage);
      port.close();
      resolve();
    };

    const next = () => {
      const item = queued.shift();
      if (item) {
        runJob(item.job, item.attempt);
      } else if (stopping) {
        close();
      }
    };

    const runJob = (job: Job, attempt: number) => {
      const startedAt = Date.now();
      running = execute(handler, job, attempt, workerId, jobTimeoutMs, (outcome) => {
        running = undefined;
        if (closed) return;
        send({ type: 'outcome', workerId, jobId: job.job_id, outcome, startedAt, endedAt: Date.now() });
        next();
      });
    };

    const onMessage = (message: MainToWorker) => {
      switch (message.type) {
        case 'job':
          if (stopping) send({ type: 'unstarted', workerId, jobIds: [message.job.job_id] });
          else if (running) queued.push({ job: message.job, attempt: message.attempt });
          else runJob(message.job, message.attempt);
          break;
        case 'abort':
          if (running?.jobId === message.jobId) running.stop(interrupted(ABORT_MESSAGE));
          else abortQueued(message.jobId);
          break;
        case 'stop':
          stopping = true;
          if (queued.length > 0) send({ type: 'unstarted', workerId, jobIds: queued.splice(0).map((item) => item.job.job_id) });
          if (!running) next();
          break;
      }
    };

    const abortQueued = (jobId: string) => {
      const index = queued.findIndex((item) => item.job.job_id === jobId);
      if (index < 0) return;
      const now = Date.now();
      queued.splice(index, 1);
      send({ type: 'outcome', workerId, jobId, outcome: interrupted(ABORT_MESSAGE), startedAt: now, endedAt: now });
    };

    port.on('message', onMessage);
    // The runner closing its end means nobody will read our outcomes: end the task rather than hang.
    port.once('close', () => {
      closed = true;
      port.off('message', onMessage);
      resolve();
    });
    send({ type: 'ready', workerId });
  });
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

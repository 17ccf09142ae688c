/**
 * The worker threads: one Piscina task per worker, a long-lived loop that talks to the main thread
 * over its own MessagePort (src/protocol.ts). A slot is the main thread's side of one worker: the
 * claims handed to it, in the order it runs them, and its port. This file knows the threads and
 * the protocol, not the ledger: what a message means is the dispatcher's business.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Job } from '../core/job.js';
import type { HandlerSpec, MainToWorker, WorkerStart, WorkerToMain } from '../protocol.js';
import { workerFile } from './worker-file.js';

export interface Slot {
  readonly id: number;
  port: MessagePort | undefined;
  /** Claims handed to this worker, in the order it runs them; the first may be running. */
  jobs: Job[];
  /** Claims being made durable for this worker, not yet handed over. */
  claiming: number;
  /** Turns (exchanges with the store) in progress for this worker. */
  turns: number;
  /** Moving average of this worker's job durations (ms); decides how many claims it may hold. */
  averageJobMs: number;
  /** Parked: asked for work and got none yet. */
  parked: boolean;
  /** Told subscribers it is idle since it last had work. */
  idleTold: boolean;
  finished: boolean;
  diedWithoutJob: number;
  /** performance.now() when it last asked for work (claim latency for the benchmark). */
  requestedAt: number;
  task: Promise<unknown> | undefined;
}

export interface SlotEvents {
  message(slot: Slot, message: WorkerToMain): void;
  /** The slot's loop ended: cleanly (error undefined) or because its thread died. */
  ended(slot: Slot, error: unknown): void;
  /** A bug in handling a message or an end. */
  crash(error: unknown): void;
}

export interface PoolSettings {
  workers: number;
  handler: HandlerSpec;
  jobTimeoutMs: number;
}

export class WorkerSlots {
  readonly all: Slot[] = [];
  private pool: Piscina | undefined;
  /** Set once the run has ended and the threads are being let go: their ends are no news. */
  private closing = false;

  constructor(private readonly settings: PoolSettings, private readonly on: SlotEvents) {}

  start(): void {
    const { workers } = this.settings;
    this.pool = new Piscina({
      filename: workerFile(), minThreads: workers, maxThreads: workers, idleTimeout: 60_000, concurrentTasksPerWorker: 1, maxQueue: 'auto',
      // A small young generation keeps each thread's footprint down; handlers lose only a little GC time.
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
    for (let id = 0; id < workers; id++) {
      const slot: Slot = { id, port: undefined, jobs: [], claiming: 0, turns: 0, averageJobMs: Infinity, parked: false, idleTold: false, finished: false, diedWithoutJob: 0, requestedAt: 0, task: undefined };
      this.all.push(slot);
      this.launch(slot);
    }
  }

  /** Starts (or restarts, after its thread died) the worker loop of a slot. */
  launch(slot: Slot): void {
    const channel = new MessageChannel();
    slot.port = channel.port1;
    slot.parked = false;
    channel.port1.on('message', (message: WorkerToMain) => {
      try {
        this.on.message(slot, message);
      } catch (error) {
        this.on.crash(error);
      }
    });
    const start: WorkerStart = { workerId: slot.id, handler: this.settings.handler, jobTimeoutMs: this.settings.jobTimeoutMs, port: channel.port2 as unknown as WorkerStart['port'] };
    const task = this.pool!.run(start, { transferList: [channel.port2] as never });
    slot.task = task;
    task.then(() => this.ended(slot, undefined), (error: unknown) => this.ended(slot, error)).catch((error: unknown) => this.on.crash(error));
  }

  send(slot: Slot, message: MainToWorker): void {
    slot.port?.postMessage(message);
  }

  broadcast(message: MainToWorker): void {
    for (const slot of this.all) this.send(slot, message);
  }

  /** Some worker holds claims, is getting some, or is working without having asked for more. */
  get busy(): boolean {
    return this.all.some((slot) => slot.claiming > 0 || slot.turns > 0 || slot.jobs.length > 0 || (!slot.finished && !slot.parked));
  }

  /** Tells every loop to end, waits a little for them, then ends the pool. */
  async close(): Promise<void> {
    this.broadcast({ type: 'stop' });
    this.closing = true;
    await Promise.race([Promise.allSettled(this.all.map((slot) => slot.task)), delay(2000)]);
    await this.pool?.destroy().catch(() => undefined);
  }

  /** Ends the pool at once (a bug). */
  async destroy(): Promise<void> {
    this.closing = true;
    await this.pool?.destroy().catch(() => undefined);
  }

  private ended(slot: Slot, error: unknown): void {
    if (this.closing) {
      slot.finished = true;
      return;
    }
    // Messages on our port may still be queued behind the task's end: hear them out first.
    if (slot.port) {
      for (let next = receiveMessageOnPort(slot.port); next; next = receiveMessageOnPort(slot.port)) {
        this.on.message(slot, next.message as WorkerToMain);
      }
    }
    slot.port?.close();
    slot.port = undefined;
    this.on.ended(slot, error);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

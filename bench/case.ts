/**
 * One benchmark case in a fresh process (so peak RSS is its own): `daycap <jobs> <ledger>` runs a
 * ledger made beforehand (by bench/run.ts, so its making is not measured) through the real runner
 * with a no-op handler and durable writes; `command` does the same with the `command` handler on
 * `true`; `piscina <jobs>` runs as many no-op tasks on a raw Piscina pool as the reference.
 * Prints one JSON line.
 */
import { fileURLToPath } from 'node:url';
import { PassThrough, Writable } from 'node:stream';
import { Piscina } from 'piscina';
import type { HandlerSpec } from '../src/protocol.js';
import { Runner } from '../src/runner/runner.js';
import { tuneHeapForLongRuns } from '../src/runtime-tuning.js';

// As the daycap binary does.
tuneHeapForLongRuns();

const WORKERS = 4;
const [kind, sizeText, ledgerPath] = process.argv.slice(2);
const size = Number(sizeText);
const workers = WORKERS;
const repoFile = (rel: string) => fileURLToPath(new URL(`../../${rel}`, import.meta.url));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A terminal that draws nowhere: what the live UI costs is measured, not what a terminal costs. */
function fakeTerminal(): NodeJS.WriteStream {
  const out = new Writable({ write: (_chunk, _encoding, callback) => callback() }) as unknown as NodeJS.WriteStream;
  Object.assign(out, { isTTY: true, columns: 80, rows: 24 });
  return out;
}

async function daycap(handler: HandlerSpec, withTui = false): Promise<Record<string, number>> {
  const ledger = ledgerPath!;
  const runner = await Runner.open({ ledger, handler, workers, cap: 1, measureClaimLatency: true, command: 'daycap bench' });
  let tui: { done: Promise<void> } | undefined;
  if (withTui) {
    process.env.NODE_ENV ??= 'production';
    const { startTui } = await import('../src/tui/render.js');
    const controls = { stop: () => runner.stop('q'), stopNow: () => process.exit(130), pause: () => runner.pause(), resume: () => runner.resume(), isPaused: () => runner.isPaused };
    tui = startTui(runner.events, controls, { stdout: fakeTerminal(), stdin: new PassThrough() as unknown as NodeJS.ReadStream });
  }
  const started = performance.now();
  const { summary } = await runner.run();
  const seconds = (performance.now() - started) / 1000;
  await tui?.done;
  if (summary.counts.success !== size) throw new Error(`expected ${size} successes, got ${JSON.stringify(summary.counts)}`);
  const latencies = runner.claimLatencies.sort((a, b) => a - b);
  return { jobsPerSecond: size / seconds, seconds, claimP50Ms: percentile(latencies, 50), claimP99Ms: percentile(latencies, 99) };
}

async function piscina(): Promise<Record<string, number>> {
  const pool = new Piscina({ filename: repoFile('bench/noop-task.mjs'), minThreads: workers, maxThreads: workers });
  // Warm the threads up, as the runner's start-up does, so only steady state is compared.
  await Promise.all(Array.from({ length: workers * 4 }, () => pool.run(0)));
  const started = performance.now();
  const window = workers * 64;
  let next = 0;
  const lane = async () => {
    while (next < size) {
      next += 1;
      await pool.run(0);
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  const seconds = (performance.now() - started) / 1000;
  await pool.destroy();
  return { jobsPerSecond: size / seconds, seconds };
}

const result = kind === 'piscina' ? await piscina()
  : kind === 'command' ? await daycap({ kind: 'command', argv: ['true'] })
  : kind === 'tui' ? await daycap({ kind: 'module', path: repoFile('bench/noop-handler.mjs') }, true)
  : await daycap({ kind: 'module', path: repoFile('bench/noop-handler.mjs') });
const peakRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ kind, size, workers, ...result, peakRssMb })}\n`);

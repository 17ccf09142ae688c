/**
 * Whole-process figures, as an operator waits for them: `daycap run`, `status` and `validate` on
 * realistic ledgers (bench/realistic.ts), each as a child process timed from its start to its exit,
 * with its peak RSS (the kernel's high-water mark, read from /proc while it runs).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { realisticJobs } from './realistic.js';
import { serializeLedger } from '../src/ledger/codec.js';

const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const noopHandler = fileURLToPath(new URL('../../bench/noop-handler.mjs', import.meta.url));

export interface ProcessFigures {
  seconds: number;
  peakRssMb: number;
  code: number | null;
  stderr: string;
}

/** The peak RSS of a running process so far (VmHWM), or 0 where /proc does not say. */
function highWaterMb(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs the daycap binary in `cwd` and measures it. */
export function timeDaycap(args: readonly string[], cwd: string): Promise<ProcessFigures> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let peak = 0;
    const poll = setInterval(() => (peak = Math.max(peak, highWaterMb(child.pid!))), 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ seconds: (performance.now() - started) / 1000, peakRssMb: peak, code, stderr });
    });
  });
}

/** A folder with a realistic ledger of `size` jobs (all pending, or all done) and a configuration that skips the video check. */
export function realisticDay(size: number, options: { done?: boolean } = {}): { dir: string; ledger: string; bytes: number } {
  const dir = mkdtempSync(join(tmpdir(), 'daycap-bench-real-'));
  const ledger = join(dir, 'progress.csv');
  const jobs = realisticJobs(size);
  if (options.done) for (const job of jobs) Object.assign(job, { status: 'success', attempts: 1, completed_at: '2026-12-05T01:00:00.000Z' });
  const text = serializeLedger(jobs);
  writeFileSync(ledger, text);
  // The videos of a made-up day do not exist; the pre-flight would set every job aside.
  writeFileSync(join(dir, 'daycap.config.json'), JSON.stringify({ preflight: { checkVideos: false } }));
  return { dir, ledger, bytes: Buffer.byteLength(text) };
}

export interface WholeRun {
  size: number;
  ledgerMb: number;
  run: ProcessFigures;
  /** The same command on the same ledger with every job done: what the run costs before and after its jobs. */
  startup: ProcessFigures;
  jobsPerSecond: number;
  /** Jobs per second once start-up is taken away: the cost of the transitions alone. */
  transitionsPerSecond: number;
}

export async function wholeRun(size: number, extraArgs: readonly string[] = []): Promise<WholeRun> {
  const day = realisticDay(size);
  const args = ['run', '--ledger', day.ledger, '--handler', noopHandler, '--workers', '4', '--no-tui', ...extraArgs];
  const run = await timeDaycap(args, day.dir);
  if (run.code !== 0) throw new Error(`daycap run exited ${run.code}: ${run.stderr}`);
  const done = realisticDay(size, { done: true });
  const startup = await timeDaycap(['run', '--ledger', done.ledger, '--handler', noopHandler, '--workers', '4', '--no-tui', ...extraArgs], done.dir);
  return {
    size, ledgerMb: day.bytes / 2 ** 20, run, startup,
    jobsPerSecond: size / run.seconds,
    transitionsPerSecond: size / Math.max(1e-3, run.seconds - startup.seconds),
  };
}

/** `daycap status` and `daycap validate` on a realistic ledger, fresh and after a run. */
export async function readers(size: number): Promise<Array<{ what: string; figures: ProcessFigures }>> {
  const day = realisticDay(size);
  const out: Array<{ what: string; figures: ProcessFigures }> = [];
  out.push({ what: 'status', figures: await timeDaycap(['status', '--ledger', day.ledger], day.dir) });
  out.push({ what: 'validate', figures: await timeDaycap(['validate', '--ledger', day.ledger], day.dir) });
  await timeDaycap(['run', '--ledger', day.ledger, '--handler', noopHandler, '--workers', '4', '--no-tui'], day.dir);
  // After a run the CSV holds the bytes daycap wrote, and the digest kept with them stands for the rows.
  out.push({ what: 'status after the run', figures: await timeDaycap(['status', '--ledger', day.ledger], day.dir) });
  out.push({ what: 'validate after the run', figures: await timeDaycap(['validate', '--ledger', day.ledger], day.dir) });
  return out;
}

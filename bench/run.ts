/**
 * `npm run bench`: daycap against a raw Piscina no-op pool in the same run, at 1,000 / 10,000 /
 * 100,000 jobs, then the `command` handler against GNU parallel --joblog, then `status` on the
 * largest ledger. Each case runs in its own process. Prints a table; asserts nothing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newJob } from '../src/core/job.js';
import { serializeLedger } from '../src/ledger/codec.js';

const caseFile = fileURLToPath(new URL('./case.js', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const sizes = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);

type CaseResult = { kind: string; size: number; jobsPerSecond: number; seconds: number; claimP50Ms?: number; claimP99Ms?: number; peakRssMb: number };

/** A fresh ledger of `size` pending jobs, one per account, like a real day's plan. */
function makeLedger(size: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'daycap-bench-'));
  const ledger = join(dir, 'progress.csv');
  writeFileSync(ledger, serializeLedger(Array.from({ length: size }, (_, i) => newJob({ job_id: `job-${i}`, account: `account-${i}`, video_path: `/videos/v${i}.mp4`, caption: `caption ${i} #bench` }))));
  return ledger;
}

function runCase(kind: string, size: number): CaseResult {
  const args = kind === 'piscina' ? [kind, String(size)] : [kind, String(size), makeLedger(size)];
  // stderr is kept (it is in the error if the case fails) rather than passed through: the live UI case
  // would otherwise leave its terminal codes in this table.
  const out = execFileSync(process.execPath, [caseFile, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out.trim().split('\n').pop()!) as CaseResult;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}, ${process.platform}`);
console.log('no-op handler, 4 workers, cap 1, one job per account, durable writes (journal fdatasync per group commit)\n');
console.log('jobs     | daycap jobs/s | raw piscina jobs/s | ratio | claim p50 | claim p99 | peak RSS');
const daycapRates = new Map<number, number>();
for (const size of sizes) {
  const mine = runCase('daycap', size);
  const raw = runCase('piscina', size);
  daycapRates.set(size, mine.jobsPerSecond);
  console.log(`${fmt(size).padEnd(8)} | ${fmt(mine.jobsPerSecond).padStart(13)} | ${fmt(raw.jobsPerSecond).padStart(18)} | ${fmt(mine.jobsPerSecond / raw.jobsPerSecond, 2).padStart(5)} | ${fmt(mine.claimP50Ms ?? 0, 3).padStart(6)} ms | ${fmt(mine.claimP99Ms ?? 0, 3).padStart(6)} ms | ${fmt(mine.peakRssMb)} MB`);
}
const smallest = daycapRates.get(Math.min(...sizes));
const largest = daycapRates.get(Math.max(...sizes));
if (smallest && largest) console.log(`\nthroughput at ${fmt(Math.max(...sizes))} jobs / at ${fmt(Math.min(...sizes))} jobs: ${fmt(largest / smallest, 2)} (target ≥ 0.70)`);

// The live UI on a terminal (drawing into a sink) against the same run without it, at the largest
// size: on short runs its fixed cost (the first frame, the final summary) dominates.
const tuiSize = Math.max(...sizes);
const plain = [runCase('daycap', tuiSize), runCase('daycap', tuiSize)].map((r) => r.jobsPerSecond);
const withTui = [runCase('tui', tuiSize), runCase('tui', tuiSize)].map((r) => r.jobsPerSecond);
const best = (xs: number[]) => Math.max(...xs);
console.log(`\nlive UI on, ${fmt(tuiSize)} jobs (best of 2 each): ${fmt(best(withTui))} jobs/s vs ${fmt(best(plain))} without; change ${fmt((best(withTui) / best(plain) - 1) * 100, 1)}% (target: no worse than -5%)`);

const commandJobs = Number(process.env.BENCH_COMMAND_JOBS ?? 2000);
const command = runCase('command', commandJobs);
console.log(`\ncommand handler on \`true\`, ${fmt(commandJobs)} jobs, 4 workers: ${fmt(command.jobsPerSecond)} jobs/s (${fmt(command.seconds, 2)} s)`);
if (spawnSync('parallel', ['--version'], { encoding: 'utf8' }).status === 0) {
  const dir = mkdtempSync(join(tmpdir(), 'daycap-bench-parallel-'));
  const started = performance.now();
  const result = spawnSync('parallel', ['-j4', '--joblog', join(dir, 'joblog'), 'true', ':::', ...Array.from({ length: commandJobs }, (_, i) => String(i))], { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) console.log(`GNU parallel failed: ${result.stderr}`);
  else console.log(`GNU parallel -j4 --joblog on the same jobs: ${fmt(commandJobs / seconds)} jobs/s (${fmt(seconds, 2)} s); daycap / parallel = ${fmt(command.jobsPerSecond / (commandJobs / seconds), 2)} (target ≥ 1.5)`);
} else {
  console.log('GNU parallel is not installed here (apt-get install parallel); comparison skipped');
}

const statusSize = Math.max(...sizes);
const dir = mkdtempSync(join(tmpdir(), 'daycap-bench-status-'));
const ledger = join(dir, 'progress.csv');
writeFileSync(ledger, serializeLedger(Array.from({ length: statusSize }, (_, i) => newJob({ job_id: `job-${i}`, account: `account-${i % 5000}`, status: i % 3 === 0 ? 'success' : 'pending', caption: `caption ${i}` }))));
const started = performance.now();
const status = spawnSync(process.execPath, [cli, 'status', '--ledger', ledger], { encoding: 'utf8' });
const statusSeconds = (performance.now() - started) / 1000;
console.log(`\ndaycap status on a ${fmt(statusSize)}-row ledger: ${fmt(statusSeconds, 2)} s (process start included; target < 1 s)${status.status === 0 ? '' : ` — exit ${status.status}: ${status.stderr}`}`);

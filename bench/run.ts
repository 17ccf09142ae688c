/**
 * `npm run bench`: daycap on realistic ledgers (bench/realistic.ts) at 1,000 / 10,000 / 100,000
 * jobs, in process (`Runner.run()` once the ledger is open, beside a raw Piscina no-op pool in the
 * same sitting) and as the whole `daycap run` process; then the live view's cost, the `command`
 * handler against GNU parallel --joblog, and `status` / `validate` on the largest ledger. Each case
 * runs in its own process. Prints tables; asserts nothing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serializeLedger } from '../src/ledger/codec.js';
import { realisticJobs } from './realistic.js';
import { readers, wholeRun } from './whole.js';

const caseFile = fileURLToPath(new URL('./case.js', import.meta.url));
const sizes = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);

type CaseResult = { kind: string; size: number; jobsPerSecond: number; seconds: number; claimP50Ms?: number; claimP99Ms?: number; peakRssMb: number };

function makeLedger(size: number): string {
  const ledger = join(mkdtempSync(join(tmpdir(), 'daycap-bench-')), 'progress.csv');
  writeFileSync(ledger, serializeLedger(realisticJobs(size)));
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
const ms = (n: number | undefined) => `${fmt(n ?? 0, 2)} ms`;

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}, ${process.platform}`);
console.log('realistic ledgers (captions of 50 to 2,200 characters), no-op module handler, 4 workers, cap 1, one job per account, durable writes\n');

console.log('in process (Runner.run() once the ledger is open)');
console.log('jobs     | daycap jobs/s | raw piscina jobs/s | ratio | claim p50 | claim p99 | peak RSS');
for (const size of sizes) {
  const mine = runCase('daycap', size);
  const raw = runCase('piscina', size);
  console.log(`${fmt(size).padEnd(8)} | ${fmt(mine.jobsPerSecond).padStart(13)} | ${fmt(raw.jobsPerSecond).padStart(18)} | ${fmt(mine.jobsPerSecond / raw.jobsPerSecond, 2).padStart(5)} | ${ms(mine.claimP50Ms).padStart(9)} | ${ms(mine.claimP99Ms).padStart(9)} | ${fmt(mine.peakRssMb)} MB`);
}

console.log('\nwhole process (`daycap run … --no-tui`, from start to exit)');
console.log('jobs     | ledger  | jobs/s | seconds | start-up s | transitions/s | peak RSS');
const transitionRates = new Map<number, number>();
for (const size of sizes) {
  const whole = await wholeRun(size);
  transitionRates.set(size, whole.transitionsPerSecond);
  console.log(`${fmt(size).padEnd(8)} | ${`${fmt(whole.ledgerMb, 1)} MB`.padStart(7)} | ${fmt(whole.jobsPerSecond).padStart(6)} | ${fmt(whole.run.seconds, 2).padStart(7)} | ${fmt(whole.startup.seconds, 2).padStart(10)} | ${fmt(whole.transitionsPerSecond).padStart(13)} | ${fmt(whole.run.peakRssMb)} MB`);
}
const small = transitionRates.get(Math.min(...sizes));
const large = transitionRates.get(Math.max(...sizes));
if (small && large) console.log(`transitions/s at ${fmt(Math.max(...sizes))} jobs / at ${fmt(Math.min(...sizes))} jobs, start-up taken away: ${fmt(large / small, 2)} (target ≥ 0.9)`);

// The live UI on a terminal (drawing into a sink) against the same run without it, at the largest
// size: on short runs its fixed cost (the first frame, the final summary) dominates.
const tuiSize = Math.max(...sizes);
const plain = [runCase('daycap', tuiSize), runCase('daycap', tuiSize)].map((r) => r.jobsPerSecond);
const withTui = [runCase('tui', tuiSize), runCase('tui', tuiSize)].map((r) => r.jobsPerSecond);
const best = (xs: number[]) => Math.max(...xs);
console.log(`\nlive UI on, ${fmt(tuiSize)} jobs (best of 2 each): ${fmt(best(withTui))} jobs/s vs ${fmt(best(plain))} without; change ${fmt((best(withTui) / best(plain) - 1) * 100, 1)}% (target: no worse than -3%)`);

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

console.log(`\nreading a realistic ${fmt(Math.max(...sizes))}-job ledger (whole process)`);
for (const { what, figures } of await readers(Math.max(...sizes))) {
  console.log(`${what.padEnd(22)} ${fmt(figures.seconds, 2)} s, peak RSS ${fmt(figures.peakRssMb)} MB${figures.code === 0 ? '' : ` (exit ${figures.code})`}`);
}

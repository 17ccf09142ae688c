/** Shared test tools: temp folders, a fault-injecting file layer, and job generators. */
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';

import { classOfRecordedFailure } from '../../src/core/classify.js';
import { STATUSES, newJob, type Job } from '../../src/core/job.js';
import { realFileOps, type FileOps } from '../../src/ledger/fileOps.js';

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'daycap-ledger-'));
}

export async function bytesOf(path: string): Promise<Buffer> {
  return readFile(path);
}

export async function listDir(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

export function injected(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`injected ${code}`), { code });
}

export type CountingOps = FileOps & { calls: Partial<Record<keyof FileOps, number>> };

/**
 * The real file layer, counting calls; the `nth` call (1-based) of `method` fails with `code`,
 * and with `sticky` every call after it as well.
 */
export function faultyOps(method?: keyof FileOps, code = 'EIO', options: { nth?: number; sticky?: boolean } = {}): CountingOps {
  const calls: Partial<Record<keyof FileOps, number>> = {};
  const nth = options.nth ?? 1;
  const wrapped = {} as Record<keyof FileOps, unknown>;
  for (const key of Object.keys(realFileOps) as (keyof FileOps)[]) {
    const real = realFileOps[key] as (...args: unknown[]) => Promise<unknown>;
    wrapped[key] = async (...args: unknown[]) => {
      const count = (calls[key] = (calls[key] ?? 0) + 1);
      if (key === method && (count === nth || (options.sticky && count > nth))) throw injected(code);
      return real(...args);
    };
  }
  return Object.assign(wrapped as unknown as FileOps, { calls });
}

/** Text that breaks naive CSV, JSON or spreadsheet handling. */
export const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\r', '\n', '\r\n', '🐻', 'é', '=', '+', '-', '@', '\t', '\u00a0', '\\', "'", '#') }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme' }) },
  { weight: 1, arbitrary: fc.constantFrom('=SUM(A1:A2)', '+1', '-1', '@cmd', '"', '""', ',', '\r\n', ' x ', '🐻‍❄️', '') },
);

const isoTime = fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 4102444800000 }).map((ms) => new Date(ms).toISOString()));
const count = fc.nat({ max: 1_000_000 });

export function jobArbitrary(extraColumns: readonly string[] = []): fc.Arbitrary<Job> {
  return fc.record({
    job_id: nastyString.filter((s) => s.length > 0),
    account: nastyString,
    video_path: nastyString,
    caption: nastyString,
    status: fc.constantFrom(...STATUSES),
    worker_id: nastyString,
    claimed_at: isoTime,
    completed_at: isoTime,
    error: nastyString,
    attempts: count,
    max_attempts: count,
    retry_at: isoTime,
    error_type: nastyString,
    error_category: nastyString,
    pass_number: count,
    run_id: nastyString,
    video_id: nastyString,
    extra: fc.tuple(...extraColumns.map(() => nastyString)).map((values) => Object.fromEntries(extraColumns.map((name, i) => [name, values[i]!]))),
  }).map((job) => {
    // A failure without a category is an older ledger's row: reading gives it one (src/ledger/row.ts),
    // and daycap never writes one, so the jobs generated are those that read back as written.
    const recorded = classOfRecordedFailure(job);
    const read = recorded ? { ...job, error_category: recorded.category, error_type: recorded.type } : job;
    if (extraColumns.length > 0) return read;
    const { extra: _unused, ...rest } = read;
    return rest;
  });
}

/** Jobs with unique ids. */
export function jobsArbitrary(extraColumns: readonly string[] = [], maxLength = 20): fc.Arbitrary<Job[]> {
  return fc.uniqueArray(jobArbitrary(extraColumns), { selector: (job) => job.job_id, maxLength });
}

export function sampleJobs(n: number, fields: Partial<Job> = {}): Job[] {
  return Array.from({ length: n }, (_, i) => newJob({ job_id: `job-${i}`, account: `acct-${i}`, video_path: `v/${i}.mp4`, caption: `caption ${i}`, ...fields }));
}

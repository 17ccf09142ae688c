/** Jobs to test with: a grid of them, one at a time, and fast-check arbitraries of any content. */
import fc from 'fast-check';
import { classOfRecordedFailure } from '../../src/core/classify.js';
import { newJob, STATUSES, type Job } from '../../src/core/job.js';
import { writeVideos } from './ledgers.js';

/**
 * `perAccount` pending jobs for each of `accounts` accounts (job-<a>-<j> of acct<a>), interleaved so
 * that every account has work early. Video paths are relative to the ledger's folder; with
 * `videosIn` (that folder) they are made real there, as `daycap run`'s pre-flight wants. Captions
 * hold a quote, a comma, a line break and an emoji, so every ledger written tests the CSV's quoting.
 */
export function gridJobs(accounts: number, perAccount: number, fields: Partial<Job> = {}, options: { videosIn?: string; prefix?: string } = {}): Job[] {
  const prefix = options.prefix ?? 'job';
  const jobs: Job[] = [];
  for (let j = 0; j < perAccount; j++) {
    for (let a = 0; a < accounts; a++) {
      jobs.push(newJob({ job_id: `${prefix}-${a}-${j}`, account: `acct${a}`, video_path: `v/${a}-${j}.mp4`, caption: `caption ${a}/${j}, "quoted"\nsecond line 🌷`, ...fields }));
    }
  }
  if (options.videosIn !== undefined) writeVideos(options.videosIn, jobs.map((job) => job.video_path));
  return jobs;
}

/** One pending job of its own account (acct-<id>). */
export function job(id: string, fields: Partial<Job> = {}): Job {
  return newJob({ job_id: id, account: `acct-${id}`, video_path: `videos/${id}.mp4`, caption: `caption of ${id}`, ...fields });
}

/** What a handler is given with a job: its worker, the attempt and the signal that aborts it. */
export function postContext(overrides: { workerId?: number; attempt?: number; signal?: AbortSignal } = {}) {
  return { workerId: overrides.workerId ?? 1, attempt: overrides.attempt ?? 1, signal: overrides.signal ?? new AbortController().signal };
}

/** What a verify is given with a job: the signal that aborts it. */
export function verifyContext(signal: AbortSignal = new AbortController().signal) {
  return { signal };
}

/** Text that breaks naive CSV, JSON or spreadsheet handling. */
export const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\r', '\n', '\r\n', '🐻', 'é', '=', '+', '-', '@', '\t', '\u00a0', '\\', "'", '#') }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme' }) },
  { weight: 1, arbitrary: fc.constantFrom('=SUM(A1:A2)', '+1', '-1', '@cmd', '"', '""', ',', '\r\n', ' x ', '🐻‍❄️', '') },
);

const isoTime = fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 4102444800000 }).map((ms) => new Date(ms).toISOString()));
const count = fc.nat({ max: 1_000_000 });

/** A job with nasty text in every text column, and `extraColumns` filled too. */
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

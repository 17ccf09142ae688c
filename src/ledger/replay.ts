import type { Job } from '../core/job.js';

/** Journal records over rows: upsert by job_id in record order; ids new to `base` are appended in order. */
export function replay(base: readonly Job[], records: readonly Job[]): Job[] {
  const out = base.slice();
  if (records.length === 0) return out;
  const index = new Map<string, number>();
  out.forEach((job, i) => index.set(job.job_id, i));
  for (const job of records) {
    const at = index.get(job.job_id);
    if (at === undefined) {
      index.set(job.job_id, out.length);
      out.push(job);
    } else {
      out[at] = job;
    }
  }
  return out;
}

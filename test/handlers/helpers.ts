import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newJob, type Job } from '../../src/core/job.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixture = (name: string) => path.join(repoRoot, 'fixtures/handlers', name);

export function job(id: string, fields: Partial<Job> = {}): Job {
  return newJob({ job_id: id, account: `acct-${id}`, video_path: `videos/${id}.mp4`, caption: `caption of ${id}`, ...fields });
}

export function ctx(overrides: { workerId?: number; attempt?: number; signal?: AbortSignal } = {}) {
  return { workerId: overrides.workerId ?? 1, attempt: overrides.attempt ?? 1, signal: overrides.signal ?? new AbortController().signal };
}

export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'daycap-handlers-'));
}

/** Waits for a condition without asserting anything about how long it took. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

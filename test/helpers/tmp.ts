import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newJob, type Job } from '../../src/core/job.js';
import { serializeLedger } from '../../src/ledger/codec.js';

export function tempDir(prefix = 'daycap-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const repoPath = (rel: string): string => fileURLToPath(new URL(`../../${rel}`, import.meta.url));
export const fixture = (rel: string): string => repoPath(`fixtures/${rel}`);

/** A ledger of `accounts` × `perAccount` pending jobs, written to `dir/progress.csv`. */
export function writeLedger(dir: string, jobs: Job[]): string {
  const path = join(dir, 'progress.csv');
  writeFileSync(path, serializeLedger(jobs));
  return path;
}

export function gridJobs(accounts: number, perAccount: number, fields: Partial<Job> = {}): Job[] {
  const jobs: Job[] = [];
  for (let j = 0; j < perAccount; j++) {
    for (let a = 0; a < accounts; a++) jobs.push(newJob({ job_id: `job-${a}-${j}`, account: `acct${a}`, video_path: `/v/${a}-${j}.mp4`, caption: `caption ${a}/${j}`, ...fields }));
  }
  return jobs;
}

export interface RecordedPost { job_id: string; account: string; start: number; end: number; ok: boolean; attempt: number; worker: number }

export function readRecord(path: string): RecordedPost[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as RecordedPost);
}

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newJob, type Job } from '../../src/core/job.js';
import { parseLedger, serializeLedger } from '../../src/ledger/codec.js';

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

/**
 * `accounts` × `perAccount` pending jobs. With `videosIn`, each job's video is a real placeholder
 * file in `<videosIn>/videos/` (absolute path), as `daycap run`'s pre-flight wants; without it the
 * paths lead nowhere, which only tests below the pre-flight (the Runner itself) may use.
 */
export function gridJobs(accounts: number, perAccount: number, fields: Partial<Job> = {}, options: { videosIn?: string } = {}): Job[] {
  const jobs: Job[] = [];
  for (let j = 0; j < perAccount; j++) {
    for (let a = 0; a < accounts; a++) {
      const video = options.videosIn === undefined ? `/v/${a}-${j}.mp4` : join(options.videosIn, 'videos', `${a}-${j}.mp4`);
      jobs.push(newJob({ job_id: `job-${a}-${j}`, account: `acct${a}`, video_path: video, caption: `caption ${a}/${j}`, ...fields }));
    }
  }
  if (options.videosIn !== undefined) writeVideos(options.videosIn, jobs.map((job) => job.video_path));
  return jobs;
}

/** Enough of an MP4 (an `ftyp` box) to pass for a video; no handler in the tests reads further. */
export const PLACEHOLDER_VIDEO = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypisom\0\0\x02\0isommp42', 'latin1')]);

/**
 * Writes a placeholder video at each path, relative ones under `dir` (the ledger's folder, where the
 * pre-flight looks for them). Paths outside `dir` are refused: a test must not write elsewhere.
 */
export function writeVideos(dir: string, paths: Iterable<string>): void {
  for (const path of paths) {
    const target = isAbsolute(path) ? path : resolve(dir, path);
    const inside = relative(dir, target);
    if (inside.startsWith('..') || isAbsolute(inside)) throw new Error(`writeVideos: ${path} is outside ${dir}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, PLACEHOLDER_VIDEO);
  }
}

/** The videos of every row of a ledger file (a copied fixture, say), made real beside it. */
export function writeVideosOf(ledger: string): void {
  const { jobs } = parseLedger(readFileSync(ledger), ledger);
  writeVideos(dirname(ledger), jobs.map((job) => job.video_path).filter(Boolean));
}

/** The pending jobs of a scheduler state, with their (relative) videos made real in the ledger's folder `dir`. */
export function writeVideosOfState(state: string, dir: string): void {
  const { jobs } = JSON.parse(readFileSync(state, 'utf8')) as { jobs: Array<{ video_path: string }> };
  writeVideos(dir, jobs.map((job) => job.video_path));
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

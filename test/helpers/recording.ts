/**
 * The recording handler (fixtures/handlers/recording.mjs) keeps its own record of every call to
 * post: the independent truth of what was posted, against which the guarantees are checked rather
 * than against daycap's own view.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vi } from 'vitest';
import type { RunEvent } from '../../src/runner/events.js';
import { Runner, type RunOptions, type RunResult } from '../../src/runner/runner.js';
import { fixture } from './files.js';

/** Records every call in the file DAYCAP_RECORD_FILE names; see the fixture for the other variables. */
export const RECORDING = fixture('handlers/recording.mjs');
/** The same, with a verify that answers from the record. */
export const RECORDING_VERIFY = fixture('handlers/crash-recording-verify.mjs');

/** One call to post, written (and fsync'd) when the call ended: failed calls too, with ok false. */
export interface RecordedPost {
  job_id: string;
  account: string;
  start: number;
  end: number;
  ok: boolean;
  attempt: number;
  worker: number;
  pid: number;
}

/**
 * Makes `dir/record.jsonl` the record of the runs this test starts in its own process (worker threads
 * copy the environment when they start); returns its path.
 */
export function recordIn(dir: string): string {
  const record = join(dir, 'record.jsonl');
  vi.stubEnv('DAYCAP_RECORD_FILE', record);
  return record;
}

/** A whole run in this process (the Runner, real worker threads) with the recording handler unless told otherwise, and every event it sent. */
export async function recordedRun(options: Omit<RunOptions, 'handler'> & Partial<Pick<RunOptions, 'handler'>>): Promise<RunResult & { events: RunEvent[] }> {
  const runner = await Runner.open({ handler: { kind: 'module', path: RECORDING }, controlSocket: false, watchLedger: false, ...options });
  const events: RunEvent[] = [];
  runner.events.onAny((event) => events.push(event));
  return { ...(await runner.run()), events };
}

/** The record's calls in the order they ended; none if nothing was recorded yet. */
export function readRecord(path: string): RecordedPost[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as RecordedPost);
}

/**
 * What the record shows broken: a job posted twice (G5), an account posted more than `cap` times
 * (G1), two calls of one account at once (G2: the next claim waits for the last call's outcome).
 */
export function recordProblems(calls: readonly RecordedPost[], cap: number): string[] {
  const problems: string[] = [];
  const postsByJob = new Map<string, number>();
  const postsByAccount = new Map<string, number>();
  for (const call of calls) {
    if (!call.ok) continue;
    postsByJob.set(call.job_id, (postsByJob.get(call.job_id) ?? 0) + 1);
    postsByAccount.set(call.account, (postsByAccount.get(call.account) ?? 0) + 1);
  }
  for (const [jobId, count] of postsByJob) if (count > 1) problems.push(`job ${jobId} was posted ${count} times (G5)`);
  for (const [account, count] of postsByAccount) if (count > cap) problems.push(`account ${account} posted ${count} times, over the cap of ${cap} (G1)`);
  const byAccount = new Map<string, RecordedPost[]>();
  for (const call of calls) byAccount.set(call.account, [...(byAccount.get(call.account) ?? []), call]);
  for (const [account, list] of byAccount) {
    list.sort((a, b) => a.start - b.start || a.end - b.end);
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.start < list[i - 1]!.end) problems.push(`account ${account}: ${list[i - 1]!.job_id} and ${list[i]!.job_id} were posted at the same time (G2)`);
    }
  }
  return problems;
}

/** The rules the shared-day fault suites check (test/faults/shared-day.ts) catch what they are for. */
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/core/job.js';
import { gridJobs } from '../helpers/jobs.js';
import type { RecordedPost } from '../helpers/recording.js';
import { sharedDayProblems } from './shared-day.js';

const jobs = gridJobs(2, 2);
const as = (status: Job['status'], ...ids: string[]): Job[] => jobs.map((job) => (ids.length === 0 || ids.includes(job.job_id) ? { ...job, status } : job));
let clock = 0;
const post = (jobId: string, fields: Partial<RecordedPost> = {}): RecordedPost => {
  clock += 10;
  return { job_id: jobId, account: jobs.find((job) => job.job_id === jobId)!.account, start: clock, end: clock + 5, ok: true, attempt: 1, worker: 1, pid: 1, ...fields };
};
const allPosted = () => jobs.map((job) => post(job.job_id));

describe('the rules of a shared day', () => {
  it('find nothing wrong with a finished day, or with a day under way whose posts are not yet reported', () => {
    expect(sharedDayProblems({ rows: as('success'), calls: allPosted(), settledBefore: Infinity }, jobs, 2, 'done')).toEqual([]);
    const calls = [post('job-0-0')];
    expect(sharedDayProblems({ rows: as('pending'), calls, settledBefore: calls[0]!.end }, jobs, 2, 'running')).toEqual([]);
    expect(sharedDayProblems({ rows: as('claimed', 'job-0-0'), calls, settledBefore: Infinity }, jobs, 2, 'running')).toEqual([]);
  });

  it('find a job posted twice, an account over its cap, overlapping posts, a lost post and a success never posted', () => {
    const twice = sharedDayProblems({ rows: as('success'), calls: [...allPosted(), post('job-0-0', { pid: 2 })], settledBefore: Infinity }, jobs, 2, 'done');
    expect(twice).toContainEqual(expect.stringMatching(/job job-0-0 was posted 2 times/));
    expect(sharedDayProblems({ rows: as('success'), calls: allPosted(), settledBefore: Infinity }, jobs, 1, 'done')).toContainEqual(expect.stringMatching(/over the cap of 1/));
    const overlapping = [post('job-0-0'), { ...post('job-0-1'), start: clock - 12 }];
    expect(sharedDayProblems({ rows: as('success', 'job-0-0', 'job-0-1'), calls: overlapping, settledBefore: Infinity }, jobs, 2, 'running')).toContainEqual(expect.stringMatching(/at the same time \(G2\)/));
    expect(sharedDayProblems({ rows: as('pending'), calls: [post('job-1-0')], settledBefore: Infinity }, jobs, 2, 'running')).toContainEqual(expect.stringMatching(/job job-1-0 was posted .* ledger says pending/));
    expect(sharedDayProblems({ rows: as('success', 'job-1-1'), calls: [], settledBefore: Infinity }, jobs, 2, 'running')).toEqual(['job job-1-1 is success but was never posted']);
  });

  it('find a lost row, and a day that does not end all success', () => {
    expect(sharedDayProblems({ rows: as('success').slice(1), calls: allPosted().slice(1), settledBefore: Infinity }, jobs, 2, 'done')).toContainEqual('job job-0-0 is lost from the ledger');
    const rows = as('success').map((row) => (row.job_id === 'job-1-1' ? { ...row, status: 'unconfirmed' as const } : row));
    expect(sharedDayProblems({ rows, calls: allPosted(), settledBefore: Infinity }, jobs, 2, 'done')).toContainEqual(expect.stringMatching(/job-1-1 ends the day unconfirmed/));
  });
});

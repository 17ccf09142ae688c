import { describe, expect, it } from 'vitest';
import { newJob, STATUSES, type Job, type Status } from '../../src/core/job.js';
import { countPostsByAccount, planSeed, type SeedCandidate, type SeedInput } from '../../src/core/seed.js';

const existingJob = (job_id: string, account: string, status: Status): Job => newJob({ job_id, account, status, video_path: `v/${job_id}.mp4` });
const candidate = (job_id: string, extra: Partial<SeedCandidate> = {}): SeedCandidate => ({ job_id, video_path: `videos/${job_id}.mp4`, caption: `caption ${job_id}`, ...extra });
const candidates = (n: number, prefix = 'new') => Array.from({ length: n }, (_, i) => candidate(`${prefix}-${i + 1}`));
const plan = (input: Partial<SeedInput>) => planSeed({ existing: [], candidates: [], accounts: [], cap: 1, ...input });
const perAccount = (jobs: readonly Job[]) => countPerAccount(jobs.map((job) => job.account));
function countPerAccount(accounts: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const account of accounts) counts[account] = (counts[account] ?? 0) + 1;
  return counts;
}

describe('planSeed: an account with work today gets nothing new', () => {
  it('existing pending jobs block reseeding: no new job for account_a, which already has a pending one', () => {
    const result = plan({
      existing: [existingJob('old-1', 'account_a', 'pending')],
      candidates: candidates(3),
      accounts: ['account_a', 'account_b', 'account_c'],
    });
    expect(result.jobs.filter((job) => job.account === 'account_a')).toEqual([]);
    expect(result.excludedAccounts).toEqual(['account_a']);
    expect(result.jobs.map((job) => job.account)).toEqual(['account_b', 'account_c', '']);
  });

  it("a new job for an account the scheduler has cooling down carries the cooldown into the ledger", () => {
    const until = Date.parse('2026-11-29T12:00:00Z');
    const result = plan({ candidates: candidates(2), accounts: ['account_a', 'account_b'], cooldowns: new Map([['account_a', until]]) });
    expect(result.jobs.find((job) => job.account === 'account_a')?.extra).toEqual({ cooldown_until: '2026-11-29T12:00:00.000Z' });
    expect(result.jobs.find((job) => job.account === 'account_b')?.extra).toBeUndefined();
  });

  it('an account frozen today (a failed row of an account error) gets nothing new', () => {
    const suspended = { ...existingJob('old-1', 'account_a', 'failed'), error: 'Your account has been suspended', error_category: 'account', error_type: 'suspended' };
    const result = plan({ existing: [suspended], candidates: candidates(2), accounts: ['account_a', 'account_b'] });
    expect(result.jobs.map((job) => job.account)).toEqual(['account_b', '']);
    expect(result.excludedAccounts).toEqual(['account_a']);
  });

  it('regression: a failed job does not block seeding the account (only success used to be counted)', () => {
    const result = plan({ existing: [existingJob('old-1', 'account_a', 'failed')], candidates: candidates(1), accounts: ['account_a'] });
    expect(result.jobs).toHaveLength(1);
    expect(result.jobs[0]?.account).toBe('account_a');
    expect(result.excludedAccounts).toEqual([]);
  });

  it.each(STATUSES.map((status) => [status, ['pending', 'claimed', 'success', 'retrying', 'unconfirmed'].includes(status)] as const))(
    'an existing %s job blocks the account: %s',
    (status, blocks) => {
      const result = plan({ existing: [existingJob('old-1', 'account_a', status)], candidates: candidates(1), accounts: ['account_a'], cap: 3 });
      expect(result.jobs[0]?.account).toBe(blocks ? '' : 'account_a');
      expect(result.excludedAccounts).toEqual(blocks ? ['account_a'] : []);
    },
  );

  it('blocks even when the cap would leave room (cap 2, one success): topping up a taken account is what broke the cap', () => {
    const result = plan({ existing: [existingJob('old-1', 'account_a', 'success')], candidates: candidates(2), accounts: ['account_a'], cap: 2 });
    expect(result.jobs.map((job) => job.account)).toEqual(['', '']);
  });

  it('scenario B: after reset-day an account that posted today (in an archive) gets no new job', () => {
    const archived = [existingJob('day-1', 'account_a', 'success'), existingJob('day-2', 'account_b', 'failed')];
    const result = plan({
      existing: [],
      priorPosts: countPostsByAccount(archived),
      candidates: candidates(2),
      accounts: ['account_a', 'account_b'],
    });
    expect(result.jobs.map((job) => job.account)).toEqual(['account_b', '']);
    expect(result.excludedAccounts).toEqual(['account_a']);
  });

  it('priorPosts of 0 does not block', () => {
    const result = plan({ priorPosts: new Map([['account_a', 0]]), candidates: candidates(1), accounts: ['account_a'] });
    expect(result.jobs[0]?.account).toBe('account_a');
  });
});

describe('planSeed: ids', () => {
  it('skips candidates whose id is already in the ledger, whatever its status, and reports them', () => {
    const result = plan({
      existing: [existingJob('new-2', 'someone_else', 'failed')],
      candidates: candidates(3),
      accounts: ['a', 'b', 'c'],
    });
    expect(result.jobs.map((job) => job.job_id)).toEqual(['new-1', 'new-3']);
    expect(result.skippedExistingIds).toEqual(['new-2']);
  });

  it('keeps the first of candidates that share an id', () => {
    const result = plan({ candidates: [candidate('x', { caption: 'first' }), candidate('x', { caption: 'second' })], accounts: ['a', 'b'] });
    expect(result.jobs.map((job) => [job.job_id, job.caption])).toEqual([['x', 'first']]);
  });
});

describe('planSeed: cap and spread', () => {
  it('cap 2 gives at most 2 jobs per account, every account its first job before any its second', () => {
    const result = plan({ candidates: candidates(7), accounts: ['a', 'b', 'c'], cap: 2 });
    expect(result.jobs.map((job) => job.account)).toEqual(['a', 'b', 'c', 'a', 'b', 'c', '']);
    expect(perAccount(result.jobs)).toEqual({ a: 2, b: 2, c: 2, '': 1 });
    expect(result.unassigned).toBe(1);
  });

  it('cap 1 gives one job per account in account order', () => {
    const result = plan({ candidates: candidates(2), accounts: ['z', 'y', 'x'] });
    expect(result.jobs.map((job) => job.account)).toEqual(['z', 'y']);
  });

  it('counts a repeated account once', () => {
    const result = plan({ candidates: candidates(3), accounts: ['a', 'a', 'b'] });
    expect(result.jobs.map((job) => job.account)).toEqual(['a', 'b', '']);
    expect(result.log).toContain('Available accounts: 2 (excluded 0 with existing jobs)');
  });

  it('cap 0 assigns nothing; a negative or fractional cap is refused', () => {
    expect(plan({ candidates: candidates(2), accounts: ['a'], cap: 0 }).unassigned).toBe(2);
    expect(() => plan({ cap: -1 })).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(() => plan({ cap: 1.5 })).toThrow(/daily cap/);
  });

  it('leaves jobs without a free account in the plan with account "", pending', () => {
    const result = plan({ candidates: candidates(3), accounts: [] });
    expect(result.jobs.map((job) => [job.account, job.status])).toEqual([['', 'pending'], ['', 'pending'], ['', 'pending']]);
    expect(result.unassigned).toBe(3);
  });
});

describe('planSeed: preassigned accounts', () => {
  it('keeps a preassigned account that is free, and the others go round-robin after it', () => {
    const result = plan({
      candidates: [candidate('n1'), candidate('n2', { account: 'c' }), candidate('n3')],
      accounts: ['a', 'b', 'c'],
    });
    expect(result.jobs.map((job) => [job.job_id, job.account])).toEqual([['n1', 'a'], ['n2', 'c'], ['n3', 'b']]);
  });

  it('moves a job whose preassigned account is taken, full or unknown to the general pool', () => {
    const result = plan({
      existing: [existingJob('old', 'taken', 'pending')],
      candidates: [candidate('n1', { account: 'taken' }), candidate('n2', { account: 'a' }), candidate('n3', { account: 'a' }), candidate('n4', { account: 'ghost' })],
      accounts: ['taken', 'a', 'b', 'c', 'd'],
    });
    expect(result.jobs.map((job) => job.account)).toEqual(['b', 'a', 'c', 'd']);
  });

  it('round-robins around preassigned jobs under cap 2', () => {
    const result = plan({
      candidates: [candidate('p1', { account: 'a' }), candidate('p2', { account: 'a' }), ...candidates(3)],
      accounts: ['a', 'b', 'c'],
      cap: 2,
    });
    expect(result.jobs.map((job) => job.account)).toEqual(['a', 'a', 'b', 'c', 'b']);
  });
});

describe('planSeed: the posted ledger', () => {
  it('never assigns a video to an account that already posted it, and tries the next account', () => {
    const posted = new Set(['a|new-1.mp4', 'b|new-1.mp4']);
    const result = plan({
      candidates: candidates(2),
      accounts: ['a', 'b', 'c'],
      alreadyPosted: (account, key) => posted.has(`${account}|${key}`),
    });
    expect(result.jobs.map((job) => job.account)).toEqual(['c', 'a']);
  });

  it('uses the candidate videoKey when given, else the file name of video_path', () => {
    const seen: string[] = [];
    plan({
      candidates: [candidate('k1', { videoKey: 'clip.mp4' }), { job_id: 'k2', video_path: 'C:\\videos\\win.mp4', caption: '' }],
      accounts: ['a', 'b'],
      alreadyPosted: (account, key) => (seen.push(`${account}:${key}`), false),
    });
    expect(seen).toEqual(['a:clip.mp4', 'b:win.mp4']);
  });

  it('leaves a job unassigned when every free account already posted its video, and keeps a preassignment off such an account', () => {
    const result = plan({
      candidates: [candidate('n1', { account: 'a' }), candidate('n2')],
      accounts: ['a', 'b'],
      alreadyPosted: (account, key) => key === 'n1.mp4' || (account === 'b' && key === 'n2.mp4'),
    });
    expect(result.jobs.map((job) => job.account)).toEqual(['', 'a']);
    expect(result.log).toContain('1 jobs left without an account');
  });
});

describe('planSeed: a video an account already has a row for today', () => {
  it('is not given to that account again under another job id (a ledger another tool seeded), whatever the row\'s status', () => {
    // account_a failed clip-7 earlier today under the scheduler's id; the campaign names it clip-7.mp4_spring.
    const earlier = newJob({ job_id: 'clip-7', account: 'account_a', status: 'failed', video_path: 'C:\\chunk\\clip-7.mp4' });
    const result = plan({
      existing: [earlier],
      candidates: [{ job_id: 'clip-7.mp4_spring', video_path: '/c/spring/clips/clip-7.mp4', caption: 'x', videoKey: 'clip-7.mp4' }, candidate('other')],
      accounts: ['account_a', 'account_b'],
    });
    expect(result.jobs.map((job) => [job.job_id, job.account])).toEqual([['clip-7.mp4_spring', 'account_b'], ['other', 'account_a']]);
  });

  it('a preassigned account that has the video already is not kept for it', () => {
    const earlier = newJob({ job_id: 'old', account: 'a', status: 'skipped', video_path: 'videos/v.mp4' });
    const result = plan({ existing: [earlier], candidates: [candidate('new', { account: 'a', video_path: 'elsewhere/v.MP4' })], accounts: ['a', 'b'] });
    expect(result.jobs.map((job) => job.account)).toEqual(['b']);
  });

  it('nor does one pass give an account the same video twice under a cap above 1', () => {
    const result = plan({ candidates: [candidate('x1', { videoKey: 'same.mp4' }), candidate('x2', { videoKey: 'same' })], accounts: ['a'], cap: 2 });
    expect(result.jobs.map((job) => job.account)).toEqual(['a', '']);
  });
});

describe('planSeed: leftovers', () => {
  it('`keep` (a scheduler state): jobs no account can take are written without one', () => {
    const result = plan({ candidates: candidates(3), accounts: ['a'] });
    expect(result.jobs.map((job) => job.account)).toEqual(['a', '', '']);
    expect([result.unassigned, result.waiting]).toEqual([2, 0]);
  });

  it('`wait` (a campaign): they are not written, and the log says how many wait for another day', () => {
    const result = plan({ existing: [existingJob('old', 'a', 'success')], candidates: candidates(5), accounts: ['a', 'b', 'c'], leftovers: 'wait' });
    expect(result.jobs.map((job) => [job.job_id, job.account])).toEqual([['new-1', 'b'], ['new-2', 'c']]);
    expect([result.unassigned, result.waiting]).toEqual([0, 3]);
    expect(result.log).toEqual(['Available accounts: 2 (excluded 1 with existing jobs)', '3 videos wait for another day (no free account under the cap)']);
  });

  it('`wait` with every account taken adds nothing: a ledger of 91 jobs stays 91 jobs', () => {
    const existing = Array.from({ length: 91 }, (_, i) => existingJob(`day-${i}`, `acct-${i}`, 'success'));
    const result = plan({ existing, candidates: candidates(800), accounts: existing.map((job) => job.account), leftovers: 'wait' });
    expect(result.jobs).toEqual([]);
    expect(result.waiting).toBe(800);
  });
});

describe('planSeed: jobs and log', () => {
  it('builds pending jobs with the candidate fields and the seed system log lines', () => {
    const result = plan({
      existing: [existingJob('dup', 'a', 'success'), existingJob('other', 'b', 'failed')],
      candidates: [candidate('dup'), candidate('n1', { max_attempts: 5, video_id: 'vid-1' }), candidate('n2'), candidate('n3')],
      accounts: ['a', 'b', 'c'],
    });
    expect(result.jobs[0]).toEqual(
      newJob({ job_id: 'n1', account: 'b', video_path: 'videos/n1.mp4', caption: 'caption n1', max_attempts: 5, video_id: 'vid-1' }),
    );
    expect(result.jobs[1]?.max_attempts).toBe(3);
    expect(result.log).toEqual([
      'Skipped 1 jobs already in the ledger',
      'Available accounts: 2 (excluded 1 with existing jobs)',
      '1 jobs left without an account',
    ]);
  });

  it('logs only the account line when nothing was skipped or left over', () => {
    expect(plan({ candidates: candidates(1), accounts: ['a'] }).log).toEqual(['Available accounts: 1 (excluded 0 with existing jobs)']);
  });

  it('does not change its input and gives the same plan twice', () => {
    const existing = [existingJob('old', 'a', 'pending')];
    const input: SeedInput = { existing, candidates: candidates(4), accounts: ['a', 'b', 'c'], cap: 2, priorPosts: new Map([['c', 1]]) };
    const before = structuredClone({ existing, candidates: input.candidates, accounts: input.accounts });
    expect(planSeed(input)).toEqual(planSeed(input));
    expect({ existing, candidates: input.candidates, accounts: input.accounts }).toEqual(before);
  });
});

describe('countPostsByAccount', () => {
  it('counts success, claimed and unconfirmed per account and ignores jobs without an account', () => {
    const jobs = STATUSES.flatMap((status, i) => [existingJob(`a${i}`, 'a', status), existingJob(`n${i}`, '', status)]);
    jobs.push(existingJob('b1', 'b', 'success'));
    expect(countPostsByAccount(jobs)).toEqual(new Map([['a', 3], ['b', 1]]));
  });
});

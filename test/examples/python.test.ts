// The Python poster and verify of examples/python, wired through `command:` as the README shows,
// on real days run by the built binary, with crashes (SIGKILL of daycap mid-post) in between.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daycap, start } from '../helpers/cli.js';
import { repoPath, tempDir } from '../helpers/files.js';
import { gridJobs } from '../helpers/jobs.js';
import { readRows, writeLedger } from '../helpers/ledgers.js';
import { until } from '../helpers/time.js';

const POST = repoPath('examples/python/post.py');
const VERIFY = repoPath('examples/python/verify.py');

interface PlatformPost {
  post_id: string;
  account: string;
  video_path: string;
  caption: string;
}

/** `n` jobs over `n` accounts, with their videos, and where the example's "platform" keeps its posts. */
function day(n: number) {
  const dir = tempDir();
  const ledger = writeLedger(dir, gridJobs(n, 1, {}, { videosIn: dir }));
  const platform = join(dir, 'platform-posts.jsonl');
  const posts = (): PlatformPost[] => (existsSync(platform) ? readFileSync(platform, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as PlatformPost) : []);
  const args = ['run', '--ledger', ledger, '--workers', String(n), '--no-tui', '--handler', `command:${POST} {account} {video_path}`, '--verify', `command:${VERIFY} {account} {video_path}`];
  const env = (extra: Record<string, string> = {}) => ({ EXAMPLE_PLATFORM_FILE: platform, ...extra });
  return { dir, ledger, posts, args, env };
}

/** Every job success, its video_id the platform's id of its one post: nothing posted twice, nothing lost. */
async function expectPostedOnce(ledger: string, posts: PlatformPost[]): Promise<void> {
  const rows = await readRows(ledger);
  expect(posts).toHaveLength(rows.length);
  for (const row of rows) {
    const mine = posts.filter((post) => post.account === row['account'] && post.video_path === row['video_path']);
    expect(mine, row['job_id']).toHaveLength(1);
    expect(row).toMatchObject({ status: 'success', video_id: mine[0]!.post_id });
  }
}

describe('examples/python: a Python poster and its verify through command:', () => {
  it('posts a day: each job once, its post id in the ledger, its caption given through the environment', async () => {
    const { dir, ledger, posts, args, env } = day(6);
    const result = await daycap(args, { cwd: dir, env: env() });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    await expectPostedOnce(ledger, posts());
    const rows = await readRows(ledger);
    expect(posts().map((post) => post.caption).sort()).toEqual(rows.map((row) => row['caption']).sort());
  });

  it('a run killed after the uploads went out: the next run asks verify.py, which finds them; nothing is posted again', async () => {
    const { dir, ledger, posts, args, env } = day(2);
    const first = start(args, { cwd: dir, env: env({ EXAMPLE_CONFIRM_SECONDS: '600' }) });
    await until(() => posts().length === 2);
    first.child.kill('SIGKILL');
    await first.done;
    // The claims are in the journal (the CSV is rewritten later): the next run finds them.

    const second = await daycap(args, { cwd: dir, env: env() });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(/recovered: 2 unconfirmed .*\(verify: 2 posted, 0 not posted, 0 unknown\)/);
    expect(second.stdout).not.toContain('claimed job');
    expect(second.stdout).toContain(`verify: command ${VERIFY} {account} {video_path}`);
    await expectPostedOnce(ledger, posts());
  });

  it('a run killed before the uploads went out: verify.py says not posted, and the next run posts them', async () => {
    const { dir, ledger, posts, args, env } = day(2);
    const first = start(args, { cwd: dir, env: env({ EXAMPLE_UPLOAD_SECONDS: '600' }) });
    await first.waitFor(/claimed job[^\n]*\n[^\n]*claimed job/);
    first.child.kill('SIGKILL');
    await first.done;
    expect(posts()).toEqual([]);

    const second = await daycap(args, { cwd: dir, env: env() });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(/recovered: 2 unconfirmed .*\(verify: 0 posted, 2 not posted, 0 unknown\)/);
    await expectPostedOnce(ledger, posts());
  });
});

/** The posts a rolling 24-hour cap counts from before this ledger's day: the recent archives. */
import { parseTime } from '../core/job.js';
import { ROLLING_WINDOW_MS, type PastPost } from '../core/policy.js';
import { recentArchives } from '../ledger/archive.js';
import { readLedgerFile } from '../ledger/store.js';

/** Successful posts of the last 24 hours found in archives beside the ledger (or in `archiveDir`). */
export async function readPastPosts(options: { ledger: string; archiveDir?: string | undefined; now: number }): Promise<PastPost[]> {
  const posts: PastPost[] = [];
  for (const archive of await recentArchives(options.ledger, { archiveDir: options.archiveDir, now: options.now })) {
    // An archive that cannot be read is the operator's old file, set aside on purpose: it does not stop today's run.
    const file = await readLedgerFile(archive).catch(() => undefined);
    for (const job of file?.parsed?.jobs ?? []) {
      if (job.status !== 'success' || !job.account) continue;
      const at = parseTime(job.completed_at);
      if (at !== undefined && at > options.now - ROLLING_WINDOW_MS) posts.push({ account: job.account, at });
    }
  }
  return posts;
}

/**
 * Keeps the posted ledger (docs/ledger.md#posted-ledger) up to date during a run: every post, once
 * durable in the day's ledger, is appended as `account|video_filename|timestamp`, so a later seed
 * never gives the same video to the same account again. Appends are batched; the file is never
 * rewritten.
 */
import { basename } from 'node:path';
import { appendPosted, type PostedEntry } from '../inputs/posted.js';
import type { RunEventStream } from '../runner/events.js';

export function recordPosts(events: RunEventStream, postedLedger: string): { flush(): Promise<void> } {
  let queue: PostedEntry[] = [];
  let writing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (queue.length === 0) return writing;
    const batch = queue;
    queue = [];
    writing = writing
      .then(() => appendPosted(postedLedger, batch))
      .catch((error: unknown) => {
        events.emit('warning', { message: `could not append to the posted ledger ${postedLedger}: ${error instanceof Error ? error.message : String(error)}`, at: Date.now() });
      });
    return writing;
  };
  events.on('job-done', ({ job, at }) => {
    if (!job.video_path) return;
    queue.push({ account: job.account, videoKey: basename(job.video_path.replaceAll('\\', '/')), at });
    if (queue.length === 1) setImmediate(() => void flush());
  });
  return { flush };
}

/** The posts a rolling 24-hour cap counts from before this ledger's day: the recent archives. */
import type { PastPost } from '../core/policy.js';
import { readArchivedPosts, type ArchiveCountOptions } from './archived-posts.js';

/**
 * Possible posts of the last 24 hours found in archives beside the ledger (or in `archiveDir`),
 * read with the tolerant archive reader. An archive that cannot be read at all stops the caller
 * (InputError ARCHIVE_UNREADABLE) unless it is named in `ignoreArchives`.
 */
export async function readPastPosts(options: ArchiveCountOptions): Promise<PastPost[]> {
  return (await readArchivedPosts(options, true)).recent;
}

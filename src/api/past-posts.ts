/** The posts a rolling 24-hour cap counts from before this ledger's day: the recent archives. */
import type { PastPost } from '../core/policy.js';
import { ledgerAt } from '../store/open.js';
import type { ArchiveCountOptions } from './archived-posts.js';

/**
 * Possible posts of the last 24 hours found in the ledger's archives, read with the tolerant
 * archive reader. An archive that cannot be read at all stops the caller (InputError
 * ARCHIVE_UNREADABLE) unless it is named in `ignoreArchives`.
 */
export async function readPastPosts(options: ArchiveCountOptions): Promise<PastPost[]> {
  const { ledger, archiveDir, ...count } = options;
  return (await ledgerAt(ledger, { archiveDir }).archivedPosts(count, true)).recent;
}

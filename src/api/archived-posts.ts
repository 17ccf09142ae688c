/**
 * Today's archived posts against the cap: what `validate`, `check` and `status` report as "cap
 * exceeded" (a warning: the history is kept as it is). The archives are read by the ledger.
 */
import { addCounts, capExceeded, type CapExceeded } from '../core/archived-posts.js';
import type { Job } from '../core/job.js';
import { countPostsByAccount } from '../core/seed.js';
import type { Ledger } from '../store/ledger.js';
import type { ArchiveCountOptions } from '../store/file-archives.js';

export type { ArchiveCountOptions, ArchivedPosts } from '../store/file-archives.js';

/** Accounts over the cap today: posts in the ledger's rows plus possible posts in today's archives. */
export async function findCapExceeded(ledger: Ledger, options: Omit<ArchiveCountOptions, 'ledger' | 'archiveDir'> & ({ jobs: readonly Job[] } | { posted: ReadonlyMap<string, number> }) & { cap: number }): Promise<CapExceeded[]> {
  const archived = await ledger.archivedPosts(options);
  const posted = 'posted' in options ? options.posted : countPostsByAccount(options.jobs);
  return capExceeded(addCounts(posted, archived.today), options.cap);
}

/** What the store finds by itself (outside edits, snapshots, failures), told to the run's subscribers. */
import type { Job } from '../core/job.js';
import type { Store } from '../store/store.js';
import type { EndReason, RunEventStream } from './events.js';
import { tellAccountNews, tellCapSkips } from './news.js';

export interface StoreNewsHandlers {
  /** The store can no longer write: the run ends with `reason`. */
  fatal: (reason: EndReason, message: string) => void;
  /** Rows changed by someone else: offer them to idle workers. */
  changed: (rows: readonly Job[]) => void;
}

export function forwardStoreNews(store: Store, events: RunEventStream, clock: () => number, handlers: StoreNewsHandlers): () => void {
  return store.subscribe((news) => {
    const at = clock();
    switch (news.kind) {
      case 'failed':
        handlers.fatal(news.reason, news.message);
        return;
      case 'warning':
        events.emit('warning', { message: news.message, at });
        return;
      case 'ledger-written':
        events.emit('ledger-written', { kind: 'snapshot', rows: news.rows, at });
        return;
      case 'external-edit':
        void store.tally().then((tally) => {
          const { kind: _kind, changed, news: accountNews, capSkips, ...edit } = news;
          events.emit('external-edit', { ...edit, counts: tally.counts, jobs: tally.jobs, at: clock() });
          tellAccountNews(events, accountNews, changed, clock());
          tellCapSkips(events, capSkips, clock());
          handlers.changed(changed);
        });
        return;
    }
  });
}

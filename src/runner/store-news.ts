/**
 * What the store finds by itself (outside edits, snapshots, failures; on a shared ledger other runs'
 * changes, the operator's controls and the claims of runs whose lease ran out), told to the run's
 * subscribers and handed to the runner.
 */
import type { Job } from '../core/job.js';
import type { Store, StoreNews } from '../store/store.js';
import type { EndReason, RunEventStream } from './events.js';
import { tellAccountNews, tellCapSkips } from './news.js';

export interface StoreNewsHandlers {
  /** The store can no longer write: the run ends with `reason`. */
  fatal: (reason: EndReason, message: string) => void;
  /** Rows changed by someone else: offer them to idle workers. */
  changed: (rows: readonly Job[]) => void;
  /** Another run or a command changed a shared ledger: idle workers look again. */
  wake: () => void;
  /** An operator's pause, resume or stop, from any terminal. */
  control: (op: 'pause' | 'resume' | 'stop') => void;
  /** Claims of runs whose lease ran out became unconfirmed: verify them. */
  adopted: (news: Extract<StoreNews, { kind: 'orphans-adopted' }>) => void;
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
      case 'changed':
        handlers.wake();
        return;
      case 'control':
        handlers.control(news.op);
        return;
      case 'orphans-adopted':
        handlers.adopted(news);
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

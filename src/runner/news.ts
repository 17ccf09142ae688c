/**
 * Account health and the posting window, told to subscribers: accounts frozen, cooling down or
 * unfrozen (as the store found them), and the window closing and opening. Rare news, told once each.
 */
import type { CapSkip } from '../core/claim-policy.js';
import type { AccountNews } from '../core/day-state.js';
import type { Job } from '../core/job.js';
import type { RunEventStream } from './events.js';

/** `changed`: the rows of the step that caused the news (an unfreeze counts its account's rows). */
export function tellAccountNews(events: RunEventStream, news: readonly AccountNews[], changed: readonly Job[], at: number): void {
  for (const item of news) {
    if (item.kind === 'frozen') events.emit('account-frozen', { account: item.account, jobId: item.jobId, reason: item.reason, at });
    else if (item.kind === 'cooling') events.emit('account-cooling', { account: item.account, jobId: item.jobId, until: item.until, reason: item.reason, at });
    else events.emit('account-unfrozen', { account: item.account, jobs: changed.filter((row) => row.account === item.account).length, at });
  }
}

/** "Skipping job … at daily limit of N": once for every job the cap holds back in a pass, whatever step found it. */
export function tellCapSkips(events: RunEventStream, skips: readonly CapSkip[], at: number): void {
  for (const skip of skips) events.emit('cap-skip', { ...skip, at });
}

/** Nothing is claimed outside the posting window: told when it closes, and when claims resume. */
export class WindowNews {
  private isClosed = false;

  constructor(private readonly events: RunEventStream, private readonly clock: () => number) {}

  /** `until`: when it opens, if the run waits for it. */
  closed(until: number | undefined): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.events.emit('window', { open: false, until, at: this.clock() });
  }

  /** A claim was made: if the window had closed, it is open again. */
  claimed(): void {
    if (!this.isClosed) return;
    this.isClosed = false;
    this.events.emit('window', { open: true, until: undefined, at: this.clock() });
  }
}

import type { AccountState } from './account-state.js';

/**
 * Accounts claimable now, first come first served. A FIFO with lazy removal: an account that stops
 * being ready only has its flag cleared, and stale entries are skipped when they reach the front.
 * (A Set would do, but taking its first element after many deletions walks over every deleted
 * slot: quadratic over a day of 100,000 accounts.)
 */
export class ReadyQueue {
  private queue: AccountState[] = [];
  /** The account's readyTicket when it was queued: an older entry of a re-queued account is stale. */
  private tickets: number[] = [];
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(state: AccountState): void {
    if (state.ready) return;
    state.ready = true;
    state.readyTicket += 1;
    this.count += 1;
    this.queue.push(state);
    this.tickets.push(state.readyTicket);
  }

  delete(state: AccountState): void {
    if (!state.ready) return;
    state.ready = false;
    this.count -= 1;
  }

  first(): AccountState | undefined {
    while (this.head < this.queue.length) {
      const state = this.queue[this.head]!;
      if (state.ready && state.readyTicket === this.tickets[this.head]) {
        if (this.head > 1024 && this.head * 2 > this.queue.length) this.compact();
        return state;
      }
      this.head += 1;
    }
    this.compact();
    return undefined;
  }

  private compact(): void {
    if (this.head === 0) return;
    this.queue = this.queue.slice(this.head);
    this.tickets = this.tickets.slice(this.head);
    this.head = 0;
  }
}

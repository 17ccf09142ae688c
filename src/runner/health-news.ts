/**
 * What a run tells its subscribers about account health and pacing: accounts frozen, cooling down
 * or unfrozen, and the posting window closing and opening. Rare news, each told once.
 */
import { cooldownEndOf, coolingAccounts, freezeReason, frozenAccounts, isFreezingRow, type CoolingAccount, type FrozenAccount } from '../core/health.js';
import type { Job } from '../core/job.js';
import type { HealthPolicy, PacingPolicy } from '../core/policy.js';
import type { Tracker } from '../core/tracker.js';
import type { RunEventStream } from './events.js';
import { describePacing } from './log.js';

export interface HealthNewsDeps {
  events: RunEventStream;
  clock: () => number;
  tracker: () => Tracker;
  health: HealthPolicy;
  pacing: PacingPolicy;
}

export class HealthNews {
  /** Accounts subscribers were told are frozen, to tell them when that ends. */
  private readonly frozen = new Set<string>();
  private windowClosed = false;

  constructor(private readonly deps: HealthNewsDeps) {}

  /** For run-started: the accounts frozen or cooling down as the run starts, and the pacing in force. */
  atStart(rows: readonly Job[]): { frozen: FrozenAccount[]; cooling: CoolingAccount[]; pacing: string[] } {
    const frozen = frozenAccounts(rows, this.deps.health);
    for (const { account } of frozen) this.frozen.add(account);
    return { frozen, cooling: coolingAccounts(rows, this.deps.clock()), pacing: describePacing(this.deps.pacing) };
  }

  /** A failure that froze its account or cooled it down (the live view and status list them). */
  failed(row: Job): void {
    const { events, clock } = this.deps;
    if (isFreezingRow(row, this.deps.health)) {
      this.frozen.add(row.account);
      events.emit('account-frozen', { account: row.account, jobId: row.job_id, reason: freezeReason(row), at: clock() });
    }
    const until = cooldownEndOf(row);
    if (until !== undefined) events.emit('account-cooling', { account: row.account, jobId: row.job_id, until, reason: `${row.error_type}: ${row.error}`, at: clock() });
  }

  /**
   * After rows changed other than by a claim or an outcome. A freeze can be lifted by `unfreeze`, by
   * `retry-failed --include-non-retryable` or by an edit of the ledger: whichever it was,
   * subscribers hear of every told freeze that no longer holds.
   */
  changed(rows: readonly Job[] = []): void {
    const now = this.deps.clock();
    for (const account of this.frozen) {
      if (this.deps.tracker().accountHold(account, now)?.rule === 'frozen') continue;
      this.frozen.delete(account);
      this.deps.events.emit('account-unfrozen', { account, jobs: rows.filter((row) => row.account === account).length, at: now });
    }
  }

  /** Nothing is claimed outside the posting window; `until`: when it opens, if the run waits for it. */
  outsideWindow(until: number | undefined): void {
    if (this.windowClosed) return;
    this.windowClosed = true;
    this.deps.events.emit('window', { open: false, until, at: this.deps.clock() });
  }

  /** A claim was made: if the window had closed, it is open again. */
  claimed(): void {
    if (!this.windowClosed) return;
    this.windowClosed = false;
    this.deps.events.emit('window', { open: true, until: undefined, at: this.deps.clock() });
  }
}

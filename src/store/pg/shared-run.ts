/**
 * A run's life beside other runs on a shared ledger: its lease renewed on a timer (a renewal that
 * finds the lease gone stops the run), other runs' changes and the operator's controls heard over
 * LISTEN, and the claims of runs whose lease ran out adopted as `unconfirmed` (G5) for this run to
 * verify. docs/postgres.md#leases.
 */
import type { Job } from '../../core/job.js';
import type { Action, Acted, StoreNews } from '../store.js';
import { errorText, isConnectionError, type Database } from './connection.js';
import { hasOrphanClaims, renewLease, type Renewal, type RunnerIdentity } from './leases.js';
import { Listener, type Signal } from './listen.js';

/** What SharedRun needs of its store. */
interface SharedStore {
  readonly id: string;
  readonly channel: string;
  act(action: Action, now: number): Promise<Acted>;
}

/** Other runs' changes are passed on at most this often: a busy ledger changes thousands of times a second. */
const CHANGED_EVERY_MS = 100;

export class SharedRun {
  private leaseTimer: NodeJS.Timeout | undefined;
  private adoptTimer: NodeJS.Timeout | undefined;
  private changedTimer: NodeJS.Timeout | undefined;
  private listener: Listener | undefined;
  private paused: boolean | undefined;
  private stopTold = false;
  private adopting = false;
  private stopped = false;

  constructor(
    private readonly store: SharedStore,
    private readonly db: Database,
    private readonly run: RunnerIdentity,
    private readonly clock: () => number,
    private readonly publish: (news: StoreNews) => void,
    private readonly fail: (reason: 'lock-lost' | 'storage-failed', message: string) => void,
  ) {}

  /** Renews the lease three times per lease period; a renewal that finds it gone stops the run. */
  startLease(): void {
    const every = Math.max(50, Math.floor(this.run.leaseMs / 3));
    this.leaseTimer = setInterval(() => void this.renew(), every);
    this.leaseTimer.unref();
  }

  private async renew(): Promise<void> {
    if (this.stopped) return;
    try {
      const renewal = await renewLease(this.db.pool, this.db, this.run);
      if (this.stopped) return;
      if (!renewal) {
        this.fail('lock-lost', `the lease of run ${this.run.runId} on ${this.db.location.display} ran out (this run was cut off or paused for longer than ${Math.round(this.run.leaseMs / 1000)} s, and other runs may have taken over its claims); writing nothing more`);
        return;
      }
      this.noteControls(renewal);
    } catch (error) {
      // Unreachable for now: the next write retries within the retry window, and the fence decides.
      if (!isConnectionError(error)) this.publish({ kind: 'warning', message: `renewing the lease failed: ${errorText(error)}` });
    }
  }

  /** Listens to the ledger's channel, tells the controls in force, and adopts dead runs' claims from now on. */
  async watch(): Promise<void> {
    if (this.listener || this.stopped) return;
    this.listener = new Listener(this.db, this.store.channel, (signal) => this.heard(signal));
    await this.listener.start();
    const every = Math.max(100, Math.floor(this.run.leaseMs / 2));
    this.adoptTimer = setInterval(() => void this.adoptOrphans(), every);
    this.adoptTimer.unref();
    const renewal = await renewLease(this.db.pool, this.db, this.run).catch(() => undefined);
    if (renewal) this.noteControls(renewal);
  }

  private heard(signal: Signal | undefined): void {
    if (this.stopped) return;
    if (signal?.kind === 'control') {
      if (signal.op === 'stop') this.tellStop();
      else this.tellPaused(signal.op === 'pause');
      return;
    }
    if (signal && signal.from === this.store.id) return;
    // Reconnected (signal undefined): notifications may have been missed; look again.
    this.changedTimer ??= setTimeout(() => {
      this.changedTimer = undefined;
      if (!this.stopped) this.publish({ kind: 'changed' });
    }, CHANGED_EVERY_MS);
  }

  /** The controls as a renewal (or a notification) reports them; each change is told once. */
  noteControls(renewal: Renewal): void {
    if (this.stopped) return;
    if (renewal.stopRequested) this.tellStop();
    this.tellPaused(renewal.paused);
  }

  private tellPaused(paused: boolean): void {
    if (this.paused === paused) return;
    const first = this.paused === undefined;
    this.paused = paused;
    if (first && !paused) return;
    this.publish({ kind: 'control', op: paused ? 'pause' : 'resume' });
  }

  private tellStop(): void {
    if (this.stopTold) return;
    this.stopTold = true;
    this.publish({ kind: 'control', op: 'stop' });
  }

  /** Claims of runs whose lease ran out become unconfirmed, and this run hears of them to verify them. */
  private async adoptOrphans(): Promise<void> {
    if (this.adopting || this.stopped) return;
    this.adopting = true;
    try {
      if (!(await hasOrphanClaims(this.db, this.run.ledger, this.run.runId))) return;
      if (this.stopped) return;
      const acted = await this.store.act({ kind: 'adopt-orphans', runId: this.run.runId }, this.clock());
      if (acted.changed.length === 0 || this.stopped) return;
      this.publish({ kind: 'orphans-adopted', from: runIdsOf(acted.changed), changed: acted.changed, news: acted.news, capSkips: acted.capSkips });
    } catch {
      // The store has said so if it can no longer write; a passing failure is tried again on the next turn.
    } finally {
      this.adopting = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.leaseTimer);
    clearInterval(this.adoptTimer);
    clearTimeout(this.changedTimer);
    await this.listener?.close();
  }
}

function runIdsOf(rows: readonly Job[]): string[] {
  return [...new Set(rows.map((row) => row.run_id))].sort();
}

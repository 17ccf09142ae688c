/**
 * What runs on a shared ledger tell each other: LISTEN/NOTIFY on one channel per ledger. A change
 * that frees work (and a run's end) is announced so idle runs look again at once; an operator's
 * pause, resume or stop reaches every run. Notifications are a shortcut, never the truth: a run
 * also looks again on a slow timer, and learns the controls from its lease renewals.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Database } from './connection.js';

export type Signal =
  | { kind: 'changed'; from: string }
  | { kind: 'control'; op: 'pause' | 'resume' | 'stop'; from: string };

/** The channel of a ledger: a hash, since a channel is a short identifier and a ledger's name is free text. */
export function channelOf(schema: string, ledger: string): string {
  return `daycap_${createHash('sha1').update(`${schema}\u0000${ledger}`).digest('hex').slice(0, 24)}`;
}

export function signalText(signal: Signal): string {
  return JSON.stringify(signal);
}

function parseSignal(text: string | undefined): Signal | undefined {
  try {
    const value = JSON.parse(text ?? '') as Partial<Signal>;
    if (value.kind === 'changed' && typeof value.from === 'string') return { kind: 'changed', from: value.from };
    if (value.kind === 'control' && typeof value.from === 'string' && (value.op === 'pause' || value.op === 'resume' || value.op === 'stop')) return { kind: 'control', op: value.op, from: value.from };
  } catch {
    // Someone else's NOTIFY on the channel: not ours to read.
  }
  return undefined;
}

/** One connection of its own, listening; reconnects with a growing pause after PostgreSQL restarts. */
export class Listener {
  private client: pg.Client | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly channel: string,
    /** `undefined`: the connection was just made again, and notifications may have been missed. */
    private readonly onSignal: (signal: Signal | undefined) => void,
  ) {}

  async start(): Promise<void> {
    await this.connect(false);
  }

  private async connect(again: boolean): Promise<void> {
    const client = new pg.Client({ connectionString: this.db.location.connectionString, application_name: 'daycap listen' });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      const signal = parseSignal(message.payload);
      if (signal) this.onSignal(signal);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      await client.end().catch(() => undefined);
      if (!again) throw error;
      this.scheduleRetry(2_000);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (again) this.onSignal(undefined);
  }

  private lost(client: pg.Client): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.scheduleRetry(250);
  }

  private scheduleRetry(ms: number): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect(true);
    }, ms);
    this.retryTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

/**
 * The connection to a database ledger: a small pool of the URL's role, and a bounded retry when
 * PostgreSQL restarts or cannot be reached. Only the URL's role is used; every statement is
 * parameterised (captions and account names are hostile input). docs/postgres.md.
 */
import { hostname } from 'node:os';
import pg from 'pg';
import { DaycapError, StorageError } from '../../errors.js';
import type { PgLocation } from './url.js';

/** How long a run's claims stay its own without a renewal (default); docs/postgres.md#leases. */
export const DEFAULT_LEASE_MS = 30_000;

/** How long a store keeps retrying while PostgreSQL cannot be reached, before the run stops (exit 5). */
export const DEFAULT_RETRY_WINDOW_MS = 30_000;

export interface ConnectOptions {
  /** Default DEFAULT_RETRY_WINDOW_MS. */
  retryWindowMs?: number | undefined;
  /** At most this many connections (default 4). */
  maxConnections?: number | undefined;
  /**
   * PostgreSQL ends a session left inside a transaction this long (default DEFAULT_LEASE_MS): a
   * process stopped mid-transaction (SIGSTOP, Ctrl-Z, a frozen host) would otherwise keep the rows it
   * locked, and the other runs, which must take over its claims once its lease runs out, would wait
   * for it as long as it stays stopped.
   */
  idleInTransactionMs?: number | undefined;
}

export type Queryable = Pick<pg.ClientBase, 'query'>;

/** Connection failures that a retry may cure (PostgreSQL restarting, a dropped socket), as opposed to a refused statement. */
export function isConnectionError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    // 25P03: the server ended a session left inside a transaction (see idleInTransactionMs); nothing of it was committed.
    if (/^(08|57P0[123])/.test(code) || code === '53300' || code === '25P03') return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND'].includes(code)) return true;
  }
  return typeof message === 'string' && /Connection terminated|not queryable|connection error|timeout exceeded when trying to connect/i.test(message);
}

/** A transaction PostgreSQL gave up to keep others consistent (deadlock, serialization): simply run it again. */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === '40P01' || code === '40001';
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class Database {
  readonly pool: pg.Pool;
  /** The schema, quoted, for statements: `"daycap"`. */
  readonly schema: string;
  readonly retryWindowMs: number;
  private closed = false;

  constructor(readonly location: PgLocation, options: ConnectOptions = {}) {
    this.schema = `"${location.schema}"`;
    this.retryWindowMs = options.retryWindowMs ?? DEFAULT_RETRY_WINDOW_MS;
    this.pool = new pg.Pool({
      connectionString: location.connectionString,
      max: options.maxConnections ?? 4,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      application_name: `daycap@${hostname()}`.slice(0, 63),
      idle_in_transaction_session_timeout: options.idleInTransactionMs ?? DEFAULT_LEASE_MS,
    });
    // An idle connection that breaks (PostgreSQL restarting) is dropped by the pool; the next use reconnects.
    this.pool.on('error', () => undefined);
    // One in use breaks too (a restart, or a session ended inside a transaction) between two of its
    // statements: the next statement fails and is retried; the event itself must not end the process.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  /** `schema.table`, quoted. */
  table(name: string): string {
    return `${this.schema}.${name}`;
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: readonly unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, values as unknown[]);
  }

  /** One statement, retried while the server cannot be reached (within the retry window). */
  queryRetrying<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: readonly unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.retrying(() => this.query<R>(text, values));
  }

  /** Runs `work` in a transaction on one connection: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        if (isConnectionError(error)) broken = error as Error;
        else await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  /**
   * Runs `attempt` until it succeeds, again after a conflict at once, and after a connection failure
   * with a growing pause, for at most the retry window; then a StorageError (the run stops, exit 5).
   */
  async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    let firstFailure: number | undefined;
    let pause = 50;
    for (let conflicts = 0; ; ) {
      try {
        return await attempt();
      } catch (error) {
        if (isRetryableConflict(error) && conflicts++ < 20) continue;
        if (!isConnectionError(error) || this.closed) throw error;
        firstFailure ??= Date.now();
        if (Date.now() - firstFailure >= this.retryWindowMs) {
          throw new StorageError(`could not reach the database ledger ${this.location.display} for ${formatSeconds(this.retryWindowMs)}: ${errorText(error)}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(2_000, pause * 2);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end().catch(() => undefined);
  }
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** What an operator sees when the database refuses the URL itself (no such host, wrong password, no such database). */
export function connectionRefused(location: PgLocation, error: unknown): DaycapError {
  return new DaycapError('DATABASE_UNREACHABLE', `cannot use the database ledger ${location.display}: ${errorText(error)}`, {
    cause: error,
    exitCode: 5,
    hint: 'Check the URL (host, port, database, user), that PostgreSQL is running, and the password (in the URL, PGPASSWORD or ~/.pgpass). docs/postgres.md tells how to set up the database and role.',
  });
}

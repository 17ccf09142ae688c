/**
 * The connection to a database ledger when PostgreSQL ends a session: a connection in use that
 * breaks between two statements of a transaction (a restart, a session ended for sitting inside a
 * transaction) fails that transaction, to be retried; it never ends the process.
 */
import { describe, expect, it } from 'vitest';
import { Database, isConnectionError } from '../../src/store/pg/connection.js';
import { parsePgUrl } from '../../src/store/pg/url.js';
import { pgLedgerUrl, sqlClient } from '../helpers/pg.js';

describe('the connection to a database ledger', () => {
  it('survives a session in use ended between two statements, and reconnects for the next', async () => {
    const db = new Database(parsePgUrl(pgLedgerUrl('connection')), { retryWindowMs: 5_000 });
    try {
      const client = await db.pool.connect();
      await client.query('BEGIN');
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const ended = new Promise((resolve) => client.once('end', resolve));
      const admin = await sqlClient();
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await admin.end();
      // The server's message arrives while no statement runs: an 'error' event on the client in use.
      await ended;
      const failure = await client.query('SELECT 1').catch((error: unknown) => error);
      expect(isConnectionError(failure)).toBe(true);
      client.release(true);
      expect((await db.queryRetrying<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});

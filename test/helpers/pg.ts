/**
 * Database ledgers for tests: each test file gets a schema of its own on the suite's PostgreSQL
 * (test/helpers/pg-global-setup.ts), dropped when its tests are over, so files run in parallel.
 * Tests name ledgers by URL as an operator would (`…?schema=t_x#name`).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';

/** The suite's server (superuser URL, password included). */
export function serverUrl(): string {
  return inject('pgUrl');
}

const schemas: string[] = [];

afterAll(async () => {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
});

/** A fresh schema name for this test file (created by daycap on first use, dropped after the file). */
export function testSchema(): string {
  const schema = `t_${randomBytes(5).toString('hex')}`;
  schemas.push(schema);
  return schema;
}

/** The URL of ledger `name` in `schema` (default: a fresh one). */
export function pgLedgerUrl(name: string, schema = testSchema()): string {
  const url = new URL(serverUrl());
  url.searchParams.set('schema', schema);
  url.hash = encodeURIComponent(name);
  return url.toString();
}

/** A plain client on the suite's server, for looking at what daycap wrote; ended with `end()`. */
export async function sqlClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  return client;
}

/** The password in the suite's URL: it must never appear in what daycap prints or writes. */
export function serverPassword(): string {
  return decodeURIComponent(new URL(serverUrl()).password);
}

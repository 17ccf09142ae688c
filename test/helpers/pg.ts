/**
 * Database ledgers for tests: each test file gets a schema of its own on the suite's PostgreSQL
 * (test/helpers/pg-global-setup.ts), dropped when its tests are over, so files run in parallel.
 * Tests name ledgers by URL as an operator would (`…?schema=t_x#name`).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { DEFAULT_HEALTH, DEFAULT_PACING } from '../../src/core/policy.js';
import { ledgerAt } from '../../src/store/open.js';
import type { DayRules, Store } from '../../src/store/store.js';

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

/** The URL of ledger `name` in `schema` (default: a fresh one) on `server` (default: the suite's). */
export function pgLedgerUrl(name: string, schema = testSchema(), server = serverUrl()): string {
  const url = new URL(server);
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

/** The rules a test store applies: the default health and pacing with `cap`. */
export function testRules(cap: number, fields: Partial<DayRules> = {}): DayRules {
  return { cap, health: DEFAULT_HEALTH, pacing: DEFAULT_PACING, retryDelayMs: 60_000, ...fields };
}

/**
 * A store of `url` taken as run `runId` would take it (its lease registered, its writes fenced): one
 * "host" of a shared ledger, in this process.
 */
export function openRunStore(url: string, runId: string, options: { rules?: DayRules; leaseMs?: number; clock?: () => number } = {}): Promise<Store> {
  return ledgerAt(url, { leaseMs: options.leaseMs ?? 30_000, retryWindowMs: 2_000 }).open({
    durability: 'journal', runId, command: 'test', rules: options.rules ?? testRules(1), ...(options.clock ? { clock: options.clock } : {}),
  });
}

/** A store of `url` as a one-shot command takes it (no lease). */
export function openCommandStore(url: string, rules: DayRules = testRules(Number.MAX_SAFE_INTEGER)): Promise<Store> {
  return ledgerAt(url).open({ durability: 'snapshot', command: 'test', rules });
}

/** Rows of today, as the database has them, by job id. */
export async function statusesIn(url: string): Promise<Record<string, string>> {
  const { jobs } = await ledgerAt(url).read();
  return Object.fromEntries(jobs.map((job) => [job.job_id, job.status]));
}

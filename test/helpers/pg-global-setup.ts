/**
 * vitest's global setup: one PostgreSQL for the whole run, or the server DAYCAP_TEST_DATABASE_URL
 * names. Each test file then works in a schema of its own (test/helpers/pg.ts), so files run in parallel.
 */
import type { TestProject } from 'vitest/node';
import { startPostgres, type PostgresServer } from './pg-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The server the tests use (a superuser's URL, password included). */
    pgUrl: string;
  }
}

let server: PostgresServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.DAYCAP_TEST_DATABASE_URL;
  if (given) {
    project.provide('pgUrl', given);
    return async () => undefined;
  }
  server = await startPostgres();
  project.provide('pgUrl', server.url);
  return async () => {
    await server?.destroy();
    server = undefined;
  };
}

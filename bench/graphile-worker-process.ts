/**
 * One Graphile Worker process for the PostgreSQL benchmark (bench/pg.ts): `run` with a no-op task
 * named `noop`, `concurrency` jobs at a time, on `schema`, until the parent sends SIGTERM.
 * Usage: node graphile-worker-process.js <connection string> <schema> <concurrency>
 */
import { Logger, run } from 'graphile-worker';

const [connectionString, schema, concurrencyText] = process.argv.slice(2);
const concurrency = Number(concurrencyText);

// Only errors: a line per job would cost the worker more than the job itself.
const logger = new Logger(() => (level, message) => {
  if (level === 'error') process.stderr.write(`${message}\n`);
});

const runner = await run({
  connectionString, schema, concurrency, noHandleSignals: true, logger,
  // As many connections as jobs in flight, and a couple for its own bookkeeping, as its default does.
  maxPoolSize: concurrency + 2,
  taskList: { noop: async () => undefined },
});
process.once('SIGTERM', () => void runner.stop());
await runner.promise;

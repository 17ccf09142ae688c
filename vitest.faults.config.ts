import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: the fault suites — the fast parts that `npm test` also runs (test/faults)
 * and the long crash torture (test/slow/faults, excluded from `npm test`). One file at a time: the
 * torture starts many processes with 8 worker threads each, and the machine has 2 cores.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts', 'test/slow/faults/**/*.test.ts'],
    testTimeout: 15 * 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One PostgreSQL for the whole run (docs/testing.md); each file works in a schema of its own.
    globalSetup: ['test/helpers/pg-global-setup.ts'],
    fileParallelism: false,
    // The fast parts' sampled loops go through every case here (e.g. a journal cut at every byte).
    env: { DAYCAP_FAULTS_FULL: '1' },
    unstubEnvs: true,
  },
});

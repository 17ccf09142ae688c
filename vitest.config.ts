import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/slow/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One PostgreSQL for the whole run (docs/testing.md); each file works in a schema of its own.
    globalSetup: ['test/helpers/pg-global-setup.ts'],
    // Ink draws no live frames when it believes it runs under CI; the UI tests are about those
    // frames (the CLI itself starts the view with CI unset: src/cli/view.ts).
    env: { CI: 'false' },
    // What a test sets with vi.stubEnv (a handler's DAYCAP_* settings) is undone before the next test.
    unstubEnvs: true,
  },
});

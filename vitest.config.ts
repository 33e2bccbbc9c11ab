import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Three daemons behind HAProxy on PgBouncer: npm run test:cluster (vitest.cluster.config.ts).
    exclude: ['**/node_modules/**', 'test/cluster/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Real PostgreSQL and real processes: generous limits on a busy 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});

import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // test/soak: long tests that need root (a tmpfs to fill); `npm run test:soak` runs them (NB_SOAK=1).
    // test/cluster: three daemons behind HAProxy on PgBouncer; `npm run test:cluster` runs them (vitest.cluster.config.ts).
    exclude: process.env.NB_SOAK === '1' ? [...configDefaults.exclude, 'test/cluster/**'] : [...configDefaults.exclude, 'test/soak/**', 'test/cluster/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Real PostgreSQL and real processes: generous limits on a busy 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});

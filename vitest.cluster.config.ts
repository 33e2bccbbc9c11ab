// npm run test:cluster: the deployment of docs/scaling.md under test. Every
// daemon's pool goes through PgBouncer in transaction pooling (NB_TEST_PGBOUNCER,
// read by the global setup). First the bid, idempotency, close and hub tests,
// two files at a time; then test/cluster (three daemons behind HAProxy,
// daemons killed under load), one file at a time.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

process.env.NB_TEST_PGBOUNCER = '1';

/** The tests of the daemon's bid path and hub that must hold through PgBouncer too. */
const THROUGH_PGBOUNCER = [
  'test/daemon/rules/bids.test.ts',
  'test/daemon/rules/buy-now.test.ts',
  'test/daemon/rules/cancel.test.ts',
  'test/daemon/rules/closer.test.ts',
  'test/daemon/rules/settle.test.ts',
  'test/daemon/rules/double-spend.test.ts',
  'test/daemon/rules/idempotency.test.ts',
  'test/daemon/rules/answer-after-commit.test.ts',
  'test/daemon/rules/bid-queue.test.ts',
  'test/daemon/rules/inbox.test.ts',
  'test/daemon/hub/channel.test.ts',
  'test/daemon/hub/coalesced-writes.test.ts',
  'test/daemon/hub/slow-consumer.test.ts',
  'test/daemon/hub/socket-server.test.ts',
  'test/daemon/hub/inbox-socket.test.ts',
  'test/daemon/hub/presence.test.ts',
  'test/client/socket-client.test.ts',
  'test/e2e/two-daemons.test.ts',
  'test/e2e/ws-delivery.test.ts',
  'test/e2e/ws-two-daemons.test.ts',
  'test/e2e/bank.test.ts',
];

// The project settings of vitest.config.ts (setup, timeouts, pool), without its file lists.
const { include: _include, exclude: _exclude, reporters, ...shared } = base.test!;

export default defineConfig({
  test: {
    reporters,
    projects: [
      { test: { ...shared, name: 'through-pgbouncer', include: THROUGH_PGBOUNCER, sequence: { groupOrder: 0 } } },
      // Each file runs three daemons, HAProxy and up to thousands of sockets.
      { test: { ...shared, name: 'cluster', include: ['test/cluster/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});

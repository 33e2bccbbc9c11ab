// One database and one in-process daemon per test file, made before the first
// test and removed after the last: `const t = useDaemon(); … t.daemon …`.
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { DaemonOptions } from '../../src/daemon/daemon.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startTestDaemon, type StartedTestDaemon } from './daemon.js';
import { expectAuditClean, seedUser, type SeededUser } from './seed.js';

export interface DaemonFixture {
  db: TestDatabase;
  daemon: StartedTestDaemon;
}

/** A fresh database and an in-process daemon on it; `close()` stops the daemon and drops both. */
export async function startDaemonFixture(options: DaemonOptions = {}): Promise<DaemonFixture & { close(): Promise<void> }> {
  const db = await createTestDatabase();
  const daemon = await startTestDaemon(db.url, options).catch(async (err: unknown) => {
    await db.drop();
    throw err;
  });
  return {
    db,
    daemon,
    async close() {
      await daemon.close();
      await daemon.removeDir();
      await db.drop();
    },
  };
}

/** Registers hooks that give the file its own database and daemon. */
export function useDaemon(options: DaemonOptions = {}): DaemonFixture {
  const fixture = {} as DaemonFixture;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ db: fixture.db, daemon: fixture.daemon, close } = await startDaemonFixture(options));
  });
  afterAll(() => close?.());
  return fixture;
}

/** A small pool of its own on the file's database, apart from the daemon's: to read what committed while the daemon's transactions run. */
export function useChecker(fixture: DaemonFixture): { sql: postgres.Sql } {
  const checker = {} as { sql: postgres.Sql };
  beforeAll(() => {
    checker.sql = postgres(fixture.db.url, { max: 4, onnotice: () => {} });
  });
  afterAll(async () => {
    await checker.sql?.end();
  });
  return checker;
}

/** Long enough that the closer only runs when a test calls `closer.runOnce()`. */
export const MANUAL_CLOSER = { closerIntervalMs: 3_600_000 };

/**
 * For rule tests: a daemon whose closer runs only when asked (so "ended but not
 * yet settled" is observable), a seller with no money, and a clean audit after
 * every test.
 */
export function useRulesDaemon(): DaemonFixture & { seller: SeededUser } {
  const fixture = useDaemon(MANUAL_CLOSER) as DaemonFixture & { seller: SeededUser };
  beforeAll(async () => {
    fixture.seller = await seedUser(fixture.daemon);
  });
  afterEach(() => expectAuditClean(fixture.daemon.admin));
  return fixture;
}

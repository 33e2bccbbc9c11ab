// One database and one in-process daemon per test file, made before the first
// test and removed after the last: `const t = useDaemon(); … t.daemon …`.
import { afterAll, beforeAll } from 'vitest';
import type { DaemonOptions } from '../../src/daemon/daemon.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startTestDaemon, type StartedTestDaemon } from './daemon.js';

export interface DaemonFixture {
  db: TestDatabase;
  daemon: StartedTestDaemon;
}

/** Registers hooks that give the file its own database and daemon. */
export function useDaemon(options: DaemonOptions = {}): DaemonFixture {
  const fixture = {} as DaemonFixture;
  beforeAll(async () => {
    fixture.db = await createTestDatabase();
    fixture.daemon = await startTestDaemon(fixture.db.url, options);
  });
  afterAll(async () => {
    await fixture.daemon?.close();
    await fixture.daemon?.removeDir();
    await fixture.db?.drop();
  });
  return fixture;
}

// One in-process daemon on a fresh database for a whole test file: started in
// beforeAll, stopped and dropped in afterAll.
import { afterAll, beforeAll } from 'vitest';
import type { DaemonOptions } from '../../src/daemon/daemon.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startTestDaemon, type TestDaemon } from './daemon.js';

export interface FileDaemon {
  readonly db: TestDatabase;
  readonly daemon: TestDaemon;
}

export function daemonForFile(options: DaemonOptions = {}): FileDaemon {
  let db: TestDatabase | undefined;
  let daemon: (TestDaemon & { removeDir(): Promise<void> }) | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    daemon = await startTestDaemon(db.url, options);
  });
  afterAll(async () => {
    await daemon?.close();
    await daemon?.removeDir();
    await db?.drop();
  });
  return {
    get db() {
      return db!;
    },
    get daemon() {
      return daemon!;
    },
  };
}

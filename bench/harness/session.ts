// What every scenario starts from: a fresh database, one or more daemon
// processes on it, an admin client, and a few facts about the server for the
// report. Closing it stops the daemons it started.
import { withClient } from './pg-client.js';
import { HttpClient } from '../../src/client/http-client.js';
import { spawnBenchDaemon, type BenchDaemon } from './daemons.js';
import type { Progress } from './progress.js';

export interface BenchEnv {
  /** A fresh database for this run (see openBenchDatabase). */
  databaseUrl: string;
  progress: Progress;
  /** The PostgreSQL server's pid when the bench started it (for CPU figures). */
  serverPid?: number | undefined;
}

export interface Session {
  env: BenchEnv;
  daemons: BenchDaemon[];
  admin: HttpClient;
  close(): Promise<void>;
}

/** Starts `count` daemons on the run's database (they share one admin token). */
export async function openSession(env: BenchEnv, count = 1): Promise<Session> {
  env.progress.step(`starting ${count} daemon process${count > 1 ? 'es' : ''}`);
  const daemons: BenchDaemon[] = [];
  const close = async () => {
    for (const d of daemons.reverse()) await d.stop();
  };
  try {
    // The first applies the migrations; the others find them applied.
    daemons.push(await spawnBenchDaemon({ databaseUrl: env.databaseUrl }));
    for (let i = 1; i < count; i++) {
      daemons.push(await spawnBenchDaemon({ databaseUrl: env.databaseUrl, adminToken: daemons[0]!.adminToken }));
    }
  } catch (err) {
    await close();
    throw err;
  }
  const admin = new HttpClient({ url: daemons[0]!.url, token: daemons[0]!.adminToken, keepAlive: true });
  return {
    env,
    daemons,
    admin,
    async close() {
      admin.close();
      await close();
    },
  };
}

/** The server's version and the settings that decide commit cost. */
export async function serverFacts(url: string): Promise<{ postgres: string; settings: Record<string, string> }> {
  return withClient(url, async (c) => {
    const v = await c.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    const settings: Record<string, string> = {};
    for (const name of ['fsync', 'synchronous_commit', 'wal_init_zero', 'max_connections', 'track_commit_timestamp']) {
      settings[name] = (await c.query<{ v: string }>('SELECT current_setting($1) AS v', [name])).rows[0]!.v;
    }
    return { postgres: `PostgreSQL ${v.rows[0]!.v}`, settings };
  });
}

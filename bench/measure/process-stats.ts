// Memory of a process (from /proc/<pid>/status) and PostgreSQL's connections
// (pg_stat_activity), sampled while a phase runs so that the peak is caught.
import { readFile } from 'node:fs/promises';
import type pg from 'pg';

/** Resident memory of a process now (VmRSS) and its peak so far (VmHWM), in bytes; undefined without /proc. */
export async function memoryOf(pid: number): Promise<{ rss: number; peak: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

export interface Sampler<T> {
  /** Stops sampling and resolves with the samples taken. */
  stop(): Promise<T[]>;
}

/** Calls `sample` every `everyMs` (one at a time) until stopped. */
export function startSampler<T>(everyMs: number, sample: () => Promise<T | undefined>): Sampler<T> {
  const samples: T[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const s = await sample().catch(() => undefined);
      if (s !== undefined) samples.push(s);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}

/** Connections to this database by who holds them: the daemon (its pool, hub, notifier, listener) and the rest. */
export interface PgConnections {
  total: number;
  daemon: number;
  byApplication: Record<string, number>;
  /** What the daemon's busy backends were doing: running, or the wait event they were in. */
  daemonBusy: Record<string, number>;
}

/** The database's connections now, except the one asking. */
export async function pgConnections(c: pg.Client): Promise<PgConnections> {
  const r = await c.query<{ app: string; doing: string | null; n: string }>(
    `SELECT application_name AS app,
            CASE WHEN state = 'active' THEN coalesce(wait_event_type || ':' || wait_event, 'running') END AS doing,
            count(*) AS n
       FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1, 2`,
  );
  const byApplication: Record<string, number> = {};
  const daemonBusy: Record<string, number> = {};
  let total = 0;
  let daemon = 0;
  for (const row of r.rows) {
    const n = Number(row.n);
    // The daemon names its connections neighborbid:<id>, neighborbid:<id>:hub, …
    const who = row.app.startsWith('neighborbid:') ? row.app.replace(/^neighborbid:[0-9a-f]+/, 'neighborbid') : row.app || '(unnamed)';
    byApplication[who] = (byApplication[who] ?? 0) + n;
    total += n;
    if (row.app.startsWith('neighborbid:')) {
      daemon += n;
      // The LISTEN connection waits for notifications by design; it is not work.
      if (row.doing && who !== 'neighborbid:listen') daemonBusy[row.doing] = (daemonBusy[row.doing] ?? 0) + n;
    }
  }
  return { total, daemon, byApplication, daemonBusy };
}

// A `pg` client for the bench's own connections (baselines, checks, setup).
import pg from 'pg';

/**
 * A connected client. A connection that breaks (the server stopping on
 * Ctrl-C) fails the query in flight; without a listener its 'error' event
 * would also crash the bench before it had stopped what it started.
 */
export async function connectClient(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, application_name: 'neighborbid-bench' });
  c.on('error', () => {});
  await c.connect();
  return c;
}

/** Runs fn with a fresh connection and closes it afterwards. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await connectClient(url);
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

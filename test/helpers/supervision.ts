// What the supervision tests of the embedded PostgreSQL share: health read as
// a monitor reads it through an outage, and the end of a run — the database
// holds exactly the bids answered 201, the audit is clean, and a SIGTERM stops
// the daemon and the PostgreSQL it owns.
import { expect } from 'vitest';
import { openDatabase } from '../../src/daemon/db/database.js';
import type { Health } from '../../src/protocol/types.js';
import { expectBidsAsAnswered, type LoadBid } from './bid-load.js';
import type { SpawnedDaemon } from './daemon.js';
import { embeddedDatabaseUrl, postmasterPid, waitGone } from './processes.js';
import { send } from './raw-http.js';
import { expectAuditClean, type Admin } from './seed.js';

export interface HealthProbe {
  /** Every answer so far, oldest first. */
  healths: { status: number; body: Health }[];
  /** Resolves once `running()` has turned false and the last probe is in. */
  done: Promise<void>;
}

/** Asks `GET /v1/health` every `everyMs` while `running()` says so (a monitor's pace, not a wait for anything). */
export function probeHealth(url: string, everyMs: number, running: () => boolean): HealthProbe {
  const healths: HealthProbe['healths'] = [];
  const done = (async () => {
    while (running()) {
      const r = await send(url, { path: '/v1/health', timeoutMs: 15_000 }).catch(() => null);
      if (r) healths.push({ status: r.status, body: r.json as Health });
      await new Promise((ok) => setTimeout(ok, everyMs));
    }
  })();
  return { healths, done };
}

/** The database holds exactly the bids answered 201, the audit is clean, and SIGTERM stops the daemon and its PostgreSQL. */
export async function expectSupervisedRunWhole(d: SpawnedDaemon, dataDir: string, bids: LoadBid[], node: Admin): Promise<void> {
  const sql = openDatabase({ url: embeddedDatabaseUrl(dataDir, d.output()), max: 1 });
  try {
    await expectBidsAsAnswered(sql, bids);
  } finally {
    await sql.end();
  }
  await expectAuditClean(node.admin);
  const pgPid = postmasterPid(dataDir)!;
  expect(await d.stop('SIGTERM')).toBe(0);
  expect(await waitGone(pgPid)).toBe(true);
}

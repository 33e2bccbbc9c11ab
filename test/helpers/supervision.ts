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
  /** Every answer so far, in the order the probes were sent. */
  healths: { status: number; body: Health }[];
  /** Resolves once `running()` has turned false and every probe is in. */
  done: Promise<void>;
}

/**
 * Asks `GET /v1/health` every `everyMs` while `running()` says so (a monitor's
 * pace, not a wait for anything). Each probe goes on its own schedule, not
 * after the one before: while the database is away a health check may wait
 * up to its 2 s bound, and probes in a row would then see one moment in two
 * seconds and could miss the whole restart.
 */
export function probeHealth(url: string, everyMs: number, running: () => boolean): HealthProbe {
  const healths: HealthProbe['healths'] = [];
  // Answers land in their probe's slot, so the list stays in sending order; the slots of failed probes are dropped.
  const slots: (HealthProbe['healths'][number] | null | undefined)[] = [];
  const publish = () => {
    healths.length = 0;
    for (const h of slots) if (h) healths.push(h);
  };
  const done = (async () => {
    const probes: Promise<void>[] = [];
    while (running()) {
      const i = slots.push(undefined) - 1;
      probes.push(
        send(url, { path: '/v1/health', timeoutMs: 15_000 })
          .then((r) => (slots[i] = { status: r.status, body: r.json as Health }))
          .catch(() => (slots[i] = null))
          .then(publish),
      );
      await new Promise((ok) => setTimeout(ok, everyMs));
    }
    await Promise.all(probes);
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

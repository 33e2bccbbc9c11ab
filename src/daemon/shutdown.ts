// The daemon's graceful stop, in order, within SHUTDOWN_BOUND_MS whatever its
// sockets and its database are doing. Each step waits for its work up to a
// mark on one clock started at SIGTERM, then moves on:
//   0–2 s  WebSockets closed as going away; for 1 s HTTP clients on keep-alive
//          connections get their answer (writes: 503 SHUTTING_DOWN) with
//          `Connection: close`; then connections with no request are closed
//   –3 s   the closer finishes its pass
//   –6 s   requests already read are answered; then every socket left is destroyed
//   –7 s   bids queued for the database are done
//   –8 s   the hub's and the rules' database connections are closed
//   –10 s  the embedded PostgreSQL stops (fast, then immediate, then SIGKILL)
// docs/design.md, "Shutdown", says why each step is where it is.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Sql } from './db/database.js';
import type { EmbeddedPostgres } from './db/embedded-postgres.js';
import type { SocketHub } from './hub/index.js';
import type { HttpDrain } from './http/drain.js';
import type { BidQueue } from './rules/bid-queue.js';
import type { Closer } from './rules/closer.js';

/** SIGTERM ends a daemon within this long, whatever its sockets do. */
export const SHUTDOWN_BOUND_MS = 10_000;

/** Marks on the shutdown clock (ms after it began) by which each step has ended. */
const MARKS = { sockets: 2_000, keepAlive: 1_000, closer: 3_000, requests: 6_000, bids: 7_000, connections: 8_000 } as const;

export interface Stoppable {
  sockets: SocketHub;
  closer: Closer;
  app: FastifyInstance;
  drain: HttpDrain;
  bids: BidQueue;
  sql: Sql;
  embedded: EmbeddedPostgres | undefined;
  log: Logger;
}

/** True if `work` settled by `deadline` (epoch ms); its failure counts as settled (shutdown goes on). */
export function settledBy(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), Math.max(0, deadline - Date.now())))),
  ]).finally(() => clearTimeout(timer));
}

/** Stops everything in order; resolves within SHUTDOWN_BOUND_MS of being called. */
export async function shutdown(p: Stoppable): Promise<void> {
  const t0 = Date.now();
  const at = (mark: number) => t0 + mark;
  p.log.info({ postgresPid: p.embedded?.pid, boundMs: SHUTDOWN_BOUND_MS }, 'stopping: answering what was read, then stopping PostgreSQL or the connections');
  // Watchers first: 1001 sends them to reconnect (elsewhere) and resume from their versions.
  await Promise.all([settledBy(p.sockets.closeSockets(), at(MARKS.sockets)), p.drain.settle(at(MARKS.keepAlive))]);
  await settledBy(p.closer.stop(), at(MARKS.closer));
  // Stops listening and waits for requests in flight; a connection with none has had its grace.
  const closing = p.app.close();
  p.drain.closeIdle();
  let cut = 0;
  if (!(await settledBy(closing, at(MARKS.requests)))) {
    cut = p.drain.destroyAll();
    await settledBy(closing, at(MARKS.bids));
  }
  while (p.bids.busy > 0 && Date.now() < at(MARKS.bids)) await new Promise((r) => setTimeout(r, 10));
  await settledBy(Promise.all([p.sockets.close(), p.sql.end({ timeout: 1 })]), at(MARKS.connections));
  await p.embedded?.stop(at(SHUTDOWN_BOUND_MS));
  p.log.info({ ms: Date.now() - t0, cutRequests: cut, cutAtMs: MARKS.requests }, cut === 0 ? 'stopped; every request read was answered' : 'stopped; requests read were cut at the mark');
  p.log.flush?.();
}

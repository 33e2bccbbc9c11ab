// Assembles the socket hub of one daemon: the Publisher the rules call after
// commit, the WebSocket edge, the NOTIFY sender, the LISTEN connection and the
// periodic catch-up that together deliver every committed event to every
// watcher on every daemon. See docs/design.md, "Events and delivery".
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { defaultSocketLimits, type SocketLimits } from '../../protocol/frames.js';
import type { Authenticator } from '../auth.js';
import type { PeerLimits } from '../peer-limits.js';
import { openDatabase } from '../db/database.js';
import { errorFields } from '../log-fields.js';
import type { SocketMetrics } from '../metrics.js';
import type { Publisher } from '../rules/publisher.js';
import { parseDoorbell } from './doorbell.js';
import { Hub } from './hub.js';
import { InboxReader } from './inbox-reader.js';
import { inboxUsersOf } from './inbox-news.js';
import { Listener } from './listener.js';
import { Notifier } from './notifier.js';
import { OutboxReader } from './outbox-reader.js';
import { Presence } from './presence.js';
import { attachSocketServer, registerSocketRoute, type SocketServer } from './socket-server.js';

export interface SocketHubOptions {
  databaseUrl: string;
  /** A direct connection for LISTEN (not through PgBouncer in transaction mode). */
  listenDatabaseUrl: string;
  /** databaseUrl goes through a transaction pooler (database.ts, `pooler`). */
  pooler: boolean;
  applicationName: string;
  daemonId: string;
  version: string;
  log: Logger;
  metrics: SocketMetrics;
  limits?: Partial<SocketLimits>;
  /** How often every watched auction's version is checked against the database. */
  catchUpMs?: number;
  /** How often watcher counts are shared with the other daemons (default 1 s). */
  presenceMs?: number;
  /** The sockets' flush window in ms (hub.ts). */
  flushMs?: number | undefined;
}

export interface SocketHub {
  hub: Hub;
  /** How many watch each auction over all daemons. */
  presence: Presence;
  /** What the rules call after commit. */
  publisher: Publisher;
  limits: SocketLimits;
  /** Adds /v1/ws to the app and answers upgrades on its server (before listen); `peers` limits sockets per address. */
  attach(app: FastifyInstance, auth: Authenticator, draining: () => boolean, peers?: PeerLimits): void;
  /** Closes every socket as SHUTTING_DOWN, going away (first step of a shutdown). */
  closeSockets(): Promise<void>;
  /** Sends the last notifications and closes the hub's connections (after the bids are done). */
  close(): Promise<void>;
}

export const DEFAULT_CATCH_UP_MS = 1000;

/** Starts the hub: its connections listen before this resolves. */
export async function startSocketHub(o: SocketHubOptions): Promise<SocketHub> {
  const limits: SocketLimits = { ...defaultSocketLimits, ...o.limits };
  // Its own small pools: a subscription storm or a slow notify never takes a bid's connection.
  const readSql = openDatabase({ url: o.databaseUrl, max: 4, applicationName: `${o.applicationName}:hub`, pooler: o.pooler });
  const notifySql = openDatabase({ url: o.databaseUrl, max: 1, applicationName: `${o.applicationName}:notify`, pooler: o.pooler });
  let presence: Presence | undefined;
  const hub = new Hub({
    // Snapshots say how many are watching, as of the last presence update.
    reader: new OutboxReader(readSql, (id) => presence?.watching(id)),
    inboxReader: new InboxReader(readSql),
    limits,
    metrics: o.metrics,
    log: o.log,
    daemonId: o.daemonId,
    version: o.version,
    flushMs: o.flushMs,
  });
  // NEIGHBORBID_PRESENCE_MS=0 turns presence off, for measuring what it costs (scripts/cluster/presence-cost.ts).
  const presenceMs = o.presenceMs ?? Number(process.env.NEIGHBORBID_PRESENCE_MS ?? 1000);
  presence = new Presence({ sql: readSql, hub, daemonId: o.daemonId, log: o.log, intervalMs: presenceMs });
  const notifier = new Notifier(notifySql, o.daemonId, o.metrics, o.log);

  let catchingUp = false;
  const catchUp = () => {
    if (catchingUp) return;
    catchingUp = true;
    hub
      .catchUp()
      .catch((err) => o.log.debug(errorFields(o.log, err), 'catch-up failed; will try again'))
      .finally(() => (catchingUp = false));
  };
  const listener = new Listener({
    url: o.listenDatabaseUrl,
    applicationName: `${o.applicationName}:listen`,
    log: o.log,
    onListen: catchUp,
    onPayload: (text) => {
      o.metrics.notificationsReceived.inc();
      const bell = parseDoorbell(text);
      if (!bell) return;
      for (const [auction, version] of bell.versions) hub.hint(auction, version);
      // This daemon's own inbox news was handled when it published it.
      if (bell.daemonId !== o.daemonId) hub.inboxNews(bell.users);
    },
  });
  try {
    await listener.start();
  } catch (err) {
    await Promise.allSettled([listener.close(), readSql.end({ timeout: 1 }), notifySql.end({ timeout: 1 })]);
    throw err;
  }
  const timer = setInterval(catchUp, o.catchUpMs ?? DEFAULT_CATCH_UP_MS);
  timer.unref();
  if (presenceMs > 0) presence.start();

  const inboxNews = (users: number[]) => {
    if (users.length === 0) return;
    hub.inboxNews(users);
    notifier.add([], users);
  };
  const publisher: Publisher = {
    publish(rows) {
      if (rows.length === 0) return;
      // The users the rows' private parts name: their feeds here read what the
      // transaction wrote to their inboxes, after its commit and outside its locks.
      const users = new Set(rows.flatMap(inboxUsersOf));
      hub.publishLocal(rows.map((r) => r.payload));
      hub.inboxNews(users);
      notifier.add(rows.map((r) => [r.payload.auction, r.payload.version]), users);
    },
    publishBalances(changes) {
      inboxNews(changes.map((c) => c.userId));
    },
    publishInbox(users) {
      inboxNews(users);
    },
  };

  let server: SocketServer | undefined;
  return {
    hub,
    presence,
    publisher,
    limits,
    attach(app, auth, draining, peers) {
      registerSocketRoute(app);
      server = attachSocketServer(app.server, { hub, auth, limits, metrics: o.metrics, log: o.log, draining, peers });
    },
    async closeSockets() {
      await server?.close();
    },
    async close() {
      clearInterval(timer);
      await presence!.stop();
      await notifier.close();
      await listener.close();
      await Promise.all([readSql.end({ timeout: 2 }), notifySql.end({ timeout: 2 })]);
    },
  };
}

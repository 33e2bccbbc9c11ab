// The messages between the load scenario and its watcher processes (over the
// child-process IPC channel, as JSON).

/** One socket to open and the auctions it subscribes to, in one frame. */
export interface SocketSpec {
  auctions: number[];
}

export type ToWatcher =
  /** Open these sockets (at most `parallel` handshakes at once) and subscribe each. */
  | { op: 'open'; url: string; sockets: SocketSpec[]; parallel: number; timeoutMs: number }
  /**
   * The load is over: wait until every stream has reached its auction's final
   * version, then report; `commits` holds each event's commit time (epoch ms,
   * from PostgreSQL's commit timestamps), or is null when the server keeps none.
   */
  | { op: 'finish'; finals: [auction: number, version: number][]; commits: [auction: number, version: number, ms: number][] | null; timeoutMs: number }
  /**
   * A warm-up is over: wait until every stream has reached its auction's
   * version in `finals`, then start the measurement afresh (deliveries, their
   * times and events; each stream's check goes on across it). Answered by `settled`.
   */
  | { op: 'settle'; finals: [auction: number, version: number][]; timeoutMs: number }
  /** Close every socket and exit. */
  | { op: 'close' };

export interface WatcherResult {
  /** Event frames received (snapshots not counted). */
  deliveries: number;
  duplicates: number;
  outOfOrder: number;
  /** Versions between a stream's snapshot and its auction's final version that never came. */
  lost: number;
  /** Streams that had not reached their final version when the wait ended. */
  incomplete: number;
  /** Two copies of one (auction, version) that differ (a different bid or type). */
  mismatched: number;
  /** Frames that were not events of a watched auction, and error frames, by type or code. */
  unexpected: Record<string, number>;
  /** Sockets closed by the daemon or the network, by close code. */
  closes: Record<string, number>;
  /** The event's `at` (when the bid took effect inside its transaction) to arrival, every delivery (hdr histogram, encoded). */
  latency: string;
  /** Commit (PostgreSQL's commit timestamp) to arrival, every timed delivery (encoded), or null without commit times. */
  commitLatency: string | null;
  /** Deliveries that arrived before their event's commit timestamp (must be none: events go out after commit). */
  beforeCommit: number;
  /** Deliveries not timed against their commit: over the log's cap, or with no commit time for the event. */
  untimed: number;
  /** Epoch ms of the last delivery. */
  lastDeliveryAt: number;
  /** Per auction, each version seen with its bid id (or its type when not a bid), for the outbox check. */
  seen: [auction: number, versions: [version: number, signature: number | string][]][];
}

export type FromWatcher =
  | { op: 'ready'; failed: number; firstError?: string }
  | { op: 'settled'; incomplete: number }
  | { op: 'result'; result: WatcherResult }
  | { op: 'fatal'; message: string };

// The messages between the load scenario and its watcher processes (over the
// child-process IPC channel, as JSON).

/** One socket to open and the auctions it subscribes to, in one frame. */
export interface SocketSpec {
  auctions: number[];
}

export type ToWatcher =
  /** Open these sockets (at most `parallel` handshakes at once) and subscribe each. */
  | { op: 'open'; url: string; sockets: SocketSpec[]; parallel: number; timeoutMs: number }
  /** The load is over: wait until every stream has reached its auction's final version, then report. */
  | { op: 'finish'; finals: [auction: number, version: number][]; timeoutMs: number }
  /** Close every socket and exit. */
  | { op: 'close' };

export interface WatcherResult {
  sockets: number;
  streams: number;
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
  /** Commit-to-watcher latency of every delivery (hdr histogram, encoded). */
  latency: string;
  /** Epoch ms of the first and last delivery. */
  firstDeliveryAt: number;
  lastDeliveryAt: number;
  /** Per auction, each version seen with its bid id (or its type when not a bid), for the outbox check. */
  seen: [auction: number, versions: [version: number, signature: number | string][]][];
}

export type FromWatcher =
  | { op: 'ready'; sockets: number; streams: number; failed: number; firstError?: string; ms: number }
  | { op: 'result'; result: WatcherResult }
  | { op: 'fatal'; message: string };

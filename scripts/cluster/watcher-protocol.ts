// The messages between the kill test (test/cluster) and its watcher processes
// (watcher-process.ts), over the child-process IPC channel.

export type ToWatchers =
  /** Open one SocketClient per entry, subscribed to its auctions; at most `parallel` opening at once. */
  | { op: 'open'; url: string; watchers: number[][]; parallel: number; presence?: boolean }
  /** Every second, close `perSecond` watchers and open as many new ones on the same auctions (0: stop). */
  | { op: 'churn'; perSecond: number }
  /** The daemon with this id was killed at `at` (epoch ms): its watchers are the ones to time. */
  | { op: 'killed'; daemonId: string; at: number; versions: [auction: number, version: number][] }
  /** How many of the killed daemon's watchers are not whole again yet. */
  | { op: 'progress' }
  /**
   * The load is over: wait until every stream has its auction's final version,
   * then check every delivery against the outbox (canonical JSON by version) and report.
   */
  | { op: 'finish'; finals: [auction: number, version: number][]; outbox: [auction: number, version: number, json: string][]; timeoutMs: number }
  | { op: 'close' };

export interface WatchersResult {
  watchers: number;
  streams: number;
  /** Events handed to the watchers' handlers (snapshots not counted). */
  deliveries: number;
  /** Versions between a stream's snapshot and its final version that never came. */
  lost: number;
  /** Frames the client dropped as already delivered: the daemons sent a version twice. */
  duplicates: number;
  /** Gaps the client saw and resynced: the daemons sent a version out of order or skipped one. */
  outOfOrder: number;
  /** Snapshots after a stream's first: a resume that was not a replay. */
  resnapshots: number;
  /** (auction, version) copies that differ from one another or from the outbox. */
  notAsInOutbox: number;
  /** Streams short of their final version when the wait ended. */
  incomplete: number;
  /** Watchers that were on the killed daemon. */
  affected: number;
  /** Of those, live again on another daemon. */
  movedElsewhere: number;
  /** Of those, connection attempts until live again (1 each when the first attempt through HAProxy succeeded). */
  attempts: number;
  /** Of those, how long (ms from the kill) until live again on another daemon. */
  liveMs: number[];
  /** Of those, how long (ms from the kill) until live again with every version committed before the kill. */
  wholeMs: number[];
  /** Sockets per daemon id at the end. */
  perDaemon: Record<string, number>;
}

export type FromWatchers =
  | { op: 'opened'; perDaemon: Record<string, number> }
  | { op: 'churning' }
  | { op: 'marked'; affected: number }
  | { op: 'progress'; notWhole: number }
  | { op: 'result'; result: WatchersResult }
  | { op: 'failed'; message: string };

/** JSON with object keys sorted: one daemon's copy of an event and another's (read back from jsonb) compare equal. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

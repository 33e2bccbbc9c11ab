// The load scenario's options and what a run found: read by the run
// (load.ts, load-phase.ts) and by its report (load-report.ts), so that the
// report needs nothing from the run.
import type { LatencySummary } from '../measure/histogram.js';
import type { GcDelta, HistogramDelta } from '../measure/daemon-metrics.js';
import type { PgConnections } from '../measure/process-stats.js';
import type { WatcherResult } from '../watchers/watcher-protocol.js';

export type SocketMode = 'multiplexed' | 'per-auction';

/** What the open loop's bids go over: HTTP keep-alive connections, or one WebSocket per bidder. */
export type BidTransport = 'http' | 'ws';

export interface LoadOptions {
  /** Watching users of the multiplexed run: one socket each. */
  users: number;
  /** Auctions each user watches. */
  perUser: number;
  /** Open auctions the bids go to and the users watch. */
  auctions: number;
  /** Concurrent HTTP connections firing bids (and of the SQL baselines). */
  concurrency: number;
  durationSec: number;
  /** Users whose tokens the bids are sent with. */
  bidders: number;
  maxBids: number;
  /** multiplexed, or per-auction: the multiplexed run and then one socket per (user, auction). */
  sockets: SocketMode;
  /** Users of the per-auction run (each with `perUser` sockets). */
  perAuctionUsers: number;
  /** Child processes the watchers' sockets are spread over. */
  watcherProcesses: number;
  /** Measure the SQL baselines (for the ratio); off only to look at the daemon alone, and in open-loop runs. */
  baseline: boolean;
  /**
   * Open loop: bids at each of these rates (bids/s), one run each on a fresh
   * daemon; `concurrency` is then the most connections the generator opens.
   * Empty: the closed loop (autocannon with `concurrency` connections).
   */
  rates: number[];
  /** The open loop's bids over HTTP (`concurrency` connections at most) or over the bidders' WebSockets, one each; the closed loop's are HTTP. */
  bidsOver: BidTransport;
}

/** What an open-loop run's generator saw besides the answers (load-gen/open-loop.ts). */
export interface OpenLoopFigures {
  offeredPerSec: number;
  /** Bids answered (accepted or refused) per second. */
  answeredPerSec: number;
  slots: number;
  /** Latency from the moment each bid was written, as a closed loop would time it. */
  fromWrite: LatencySummary;
  /** Bids written more than LATE_MS after their slot, and how late: p99 and most. */
  late: number;
  lateP99Ms: number;
  lateMaxMs: number;
  dropped: number;
  unanswered: number;
  peakConnections: number;
}

export interface BidFigures {
  acceptedPerSec: number;
  accepted: number;
  refused: Record<string, number>;
  transportErrors: number;
  elapsedSec: number;
  latency: LatencySummary;
  /** The machine's 1-minute load average when this run started and ended (other work shows here). */
  load: [start: number, end: number];
  /** Accepted bids in each second of the run. */
  acceptedEachSecond: number[];
  /** Open loop only: latency above counts from each bid's slot. */
  openLoop?: OpenLoopFigures;
}

/** The baselines' bids, by contender. */
export interface Baselines {
  statements?: BidFigures;
  function?: BidFigures;
}

/** Every delivery of a phase, checked by the watchers and against the outbox. */
export interface DeliveryFigures
  extends Pick<WatcherResult, 'beforeCommit' | 'untimed' | 'lost' | 'duplicates' | 'outOfOrder' | 'incomplete' | 'unexpected' | 'closes'> {
  count: number;
  perSec: number;
  /** Commit-to-watcher: the commit timestamp of the event's transaction (PostgreSQL's) to arrival; null when the server keeps none. */
  latency: LatencySummary | null;
  /** The event's `at` (when the bid took effect, inside its transaction) to arrival. */
  fromAt: LatencySummary;
  /** Copies of one (auction, version) that differed, or that differ from the outbox. */
  mismatched: number;
  /** Committed events (in the outbox) that no watcher received. */
  unseen: number;
  /** Events received that the outbox does not hold. */
  phantom: number;
}

export interface CpuFigures {
  /** Seconds from the first bid until every watcher had every event. */
  windowSec: number;
  /** Percent of one core over the window. */
  daemon: number;
  postgres?: number;
  watchers: number;
  generator: number;
  daemonUsPerDelivery: number;
  daemonUsPerBid: number;
  /** The watcher processes (users' machines, not the daemon's cost) per delivery. */
  watchersUsPerDelivery: number;
}

export interface MemoryFigures {
  beforeSockets: number;
  withSockets: number;
  peak: number;
  perUserIdle: number;
  perUserPeak: number;
}

/** From the daemon's metrics over the run. */
export interface InsideFigures {
  meanBatch: number;
  meanBatchMs: number;
  /** From an event's `at` to its frame being handed to the sockets (bucket bounds, seconds). */
  commitToSend: HistogramDelta;
  /** Frames per coalesced socket write (NaN on a daemon that does not count its writes). */
  framesPerWrite: number;
  /** The daemon's event-loop delay over the run (prom-client's, less its 10 ms sampling interval), ms. */
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  /** The daemon's full collections and all its GC pauses over the run. */
  gc: GcDelta;
}

export interface PhaseResult {
  mode: SocketMode;
  /** The open loop's offered bids/s; undefined for the closed loop. */
  offeredPerSec?: number;
  users: number;
  /** Child processes that held the watchers' sockets. */
  watcherProcesses: number;
  /** WebSockets open at the daemon (its nb_ws_sockets) once every watcher was subscribed. */
  sockets: number;
  subscriptions: number;
  openSec: number;
  bids: BidFigures;
  deliveries: DeliveryFigures;
  cpu: CpuFigures;
  memory: MemoryFigures;
  inside: InsideFigures;
  postgres: PgConnections;
  auditViolations: number;
}

// Group commit of bids. While one transaction for an auction is in flight, the
// bids that arrive for that auction wait here; the next transaction takes all of
// them (up to `cap`) in arrival order under one lock. There is no timer: a bid
// that finds its auction idle goes at once, alone, so batching never adds
// latency at low load. Answers are given only after the batch has committed.
import { toNbError, isRetryable, isUnavailable, withRetry, type Sql } from '../database.js';
import type { NbError } from '../../protocol/errors.js';
import { completeOutcome, type Outcome, type RuleResult } from '../outcome.js';
import type { Publisher } from '../publisher.js';

export interface BidRequest {
  bidderId: number;
  amount: number;
  key?: string | undefined;
  hash?: string | undefined;
}

interface Pending {
  req: BidRequest;
  resolve: (o: Outcome) => void;
  reject: (e: NbError) => void;
}

interface Lane {
  pending: Pending[];
  running: boolean;
}

export interface BidQueueOptions {
  /** Most bids one transaction takes. */
  cap?: number;
  onBatch?: (size: number, ms: number) => void;
  onRetry?: (err: unknown) => void;
}

export const DEFAULT_BATCH_CAP = 64;

/** Per-auction queues that turn concurrent bids into few transactions. */
export class BidQueue {
  private readonly lanes = new Map<number, Lane>();
  private readonly cap: number;
  private inFlight = 0;

  constructor(
    private readonly sql: Sql,
    private readonly publisher: Publisher,
    private readonly options: BidQueueOptions = {},
  ) {
    this.cap = options.cap ?? DEFAULT_BATCH_CAP;
  }

  /** Queues one bid; resolves with its own answer once its batch commits. */
  submit(auctionId: number, req: BidRequest): Promise<Outcome> {
    let lane = this.lanes.get(auctionId);
    if (!lane) {
      lane = { pending: [], running: false };
      this.lanes.set(auctionId, lane);
    }
    const promise = new Promise<Outcome>((resolve, reject) => lane.pending.push({ req, resolve, reject }));
    if (!lane.running) void this.drain(auctionId, lane);
    return promise;
  }

  /** Bids queued or in flight; shutdown waits for this to reach zero. */
  get busy(): number {
    let n = this.inFlight;
    for (const lane of this.lanes.values()) n += lane.pending.length;
    return n;
  }

  private async drain(auctionId: number, lane: Lane): Promise<void> {
    lane.running = true;
    try {
      while (lane.pending.length > 0) {
        const batch = lane.pending.splice(0, this.cap);
        this.inFlight += batch.length;
        try {
          await this.settleBatch(auctionId, batch);
        } finally {
          this.inFlight -= batch.length;
        }
      }
    } finally {
      lane.running = false;
      if (lane.pending.length === 0) this.lanes.delete(auctionId);
      else void this.drain(auctionId, lane);
    }
  }

  private async settleBatch(auctionId: number, batch: Pending[]): Promise<void> {
    const started = performance.now();
    let result: RuleResult;
    try {
      result = await this.run(auctionId, batch.map((p) => p.req));
    } catch (err) {
      // A database error that retrying did not cure: when several bids shared
      // the transaction, split them so one bad request cannot fail the others.
      if (batch.length > 1 && !isUnavailable(err) && !isRetryable(err)) {
        for (const p of batch) await this.settleBatch(auctionId, [p]);
        return;
      }
      const e = toNbError(err);
      for (const p of batch) p.reject(e);
      return;
    }
    this.options.onBatch?.(batch.length, performance.now() - started);
    // Committed: tell the world first, then answer, so that an answered bid's
    // event is already on its way to every watcher.
    this.publisher.publish(result.events);
    batch.forEach((p, i) => p.resolve(completeOutcome(result.results[i]!)));
  }

  private async run(auctionId: number, reqs: BidRequest[]): Promise<RuleResult> {
    const bids = reqs.map((r) => ({ bidderId: r.bidderId, amount: r.amount, key: r.key ?? null, hash: r.hash ?? null }));
    const [row] = await withRetry(
      () => this.sql<{ r: RuleResult }[]>`SELECT nb_place_bids(${auctionId}, ${this.sql.json(bids)}) AS r`,
      { onRetry: (err) => this.options.onRetry?.(err) },
    );
    return row!.r;
  }
}

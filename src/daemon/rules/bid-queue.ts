// Group commit of bids. While a transaction for an auction is in flight, the
// bids that arrive for that auction wait here. At most `slots` bid transactions
// run at once; when one ends, the next takes the waiting bids of as many
// auctions as it can (up to `cap` bids in all), each auction's in arrival
// order, and applies them in one transaction. There is no timer: a bid that
// finds a free slot goes at once, alone, so batching never adds latency at low
// load. Answers are given only after the transaction has committed.
import { toNbError, isRetryable, isRulesOutdated, isUnavailable, withRetry, type Sql } from '../db/database.js';
import type { NbError } from '../../protocol/errors.js';
import { toOutcome, type Outcome, type RuleResult } from './outcome.js';
import type { Publisher } from './publisher.js';
import { RULES_VERSION } from './sql/index.js';

export interface BidRequest {
  bidderId: number;
  /** The amount of a plain bid, or the maximum of a maximum bid. */
  amount: number;
  /** A maximum bid `{max}` rather than a plain one. */
  max?: boolean;
  key?: string | undefined;
  hash?: string | undefined;
}

interface Pending {
  req: BidRequest;
  resolve: (o: Outcome) => void;
  reject: (e: NbError) => void;
}

interface Lane {
  auctionId: number;
  pending: Pending[];
  /** True while a transaction holds bids of this auction: the next waits for it. */
  running: boolean;
}

/** One auction's share of a transaction. */
interface Part {
  lane: Lane;
  batch: Pending[];
}

export interface BidQueueOptions {
  /** Most bids one transaction takes. */
  cap?: number;
  /** Most bid transactions in flight at once (default 2, or NEIGHBORBID_BID_SLOTS). */
  slots?: number;
  /**
   * Let one transaction carry the bids of several auctions (default true; the
   * environment variable NEIGHBORBID_CROSS_AUCTION_BATCHING=0 turns it off, for
   * measuring it). Off, each transaction carries one auction's bids and as many
   * run at once as the pool allows, as before.
   */
  crossAuction?: boolean;
  onBatch?: (size: number, ms: number) => void;
  onRetry?: (err: unknown) => void;
}

export const DEFAULT_BATCH_CAP = 64;
// Measured on a quiet 2-core machine (docs/design.md, "How many transactions
// in flight"): a bid transaction is PostgreSQL CPU and a WAL flush, so more
// of them at once than PostgreSQL has cores to run only adds waits on the WAL
// lock and shrinks the groups. 2 against 8: PostgreSQL's CPU at 600 bids/s
// 51% against 67%, commit-to-watcher p99 35 against 49 ms, and `spread` took
// 2,487 bids/s against 2,074. 1 saves a little more CPU but doubles the bids'
// p99 at 800 bids/s.
export const DEFAULT_SLOTS = 2;

/** Per-auction queues that turn concurrent bids into few transactions. */
export class BidQueue {
  private readonly lanes = new Map<number, Lane>();
  /** Lanes with waiting bids and no transaction in flight, in the order they became ready. */
  private readonly ready = new Map<number, Lane>();
  private readonly cap: number;
  private readonly slots: number;
  private readonly crossAuction: boolean;
  private running = 0;
  private inFlight = 0;

  constructor(
    private readonly sql: Sql,
    private readonly publisher: Publisher,
    private readonly options: BidQueueOptions = {},
  ) {
    this.cap = options.cap ?? DEFAULT_BATCH_CAP;
    this.crossAuction = options.crossAuction ?? process.env.NEIGHBORBID_CROSS_AUCTION_BATCHING !== '0';
    const envSlots = Number(process.env.NEIGHBORBID_BID_SLOTS);
    const slots = Number.isSafeInteger(envSlots) && envSlots > 0 ? envSlots : DEFAULT_SLOTS;
    // Without cross-auction batching nothing is gained by waiting: the pool bounds the transactions in flight.
    this.slots = options.slots ?? (this.crossAuction ? slots : Infinity);
  }

  /** Queues one bid; resolves with its own answer once its transaction commits. */
  submit(auctionId: number, req: BidRequest): Promise<Outcome> {
    let lane = this.lanes.get(auctionId);
    if (!lane) {
      lane = { auctionId, pending: [], running: false };
      this.lanes.set(auctionId, lane);
    }
    const promise = new Promise<Outcome>((resolve, reject) => lane.pending.push({ req, resolve, reject }));
    if (!lane.running) this.ready.set(auctionId, lane);
    this.pump();
    return promise;
  }

  /** Bids queued or in flight; shutdown waits for this to reach zero. */
  get busy(): number {
    let n = this.inFlight;
    for (const lane of this.lanes.values()) n += lane.pending.length;
    return n;
  }

  // Starts transactions while slots are free and bids wait.
  private pump(): void {
    while (this.running < this.slots && this.ready.size > 0) {
      const parts: Part[] = [];
      let size = 0;
      for (const lane of this.ready.values()) {
        if (size >= this.cap || (size > 0 && !this.crossAuction)) break;
        const batch = lane.pending.splice(0, this.cap - size);
        size += batch.length;
        parts.push({ lane, batch });
      }
      for (const { lane } of parts) {
        lane.running = true;
        this.ready.delete(lane.auctionId);
      }
      this.running++;
      this.inFlight += size;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.running--;
        this.inFlight -= size;
        for (const { lane } of parts) {
          lane.running = false;
          if (lane.pending.length > 0) this.ready.set(lane.auctionId, lane);
          else this.lanes.delete(lane.auctionId);
        }
        this.pump();
      };
      void this.settle(parts, release).finally(release);
    }
  }

  /**
   * Runs one transaction and answers its bids. `committed` is called once it
   * has committed, before its events are published and its answers written, so that the next
   * transaction of these auctions is already on its way while the answers go out.
   */
  private async settle(parts: Part[], committed: () => void = () => {}): Promise<void> {
    const started = performance.now();
    let results: RuleResult[];
    try {
      results = await this.run(parts);
    } catch (err) {
      // A database error that retrying did not cure: when several bids shared
      // the transaction, settle each auction's bids, then each bid, apart, so
      // one bad request cannot fail the others.
      const size = parts.reduce((n, p) => n + p.batch.length, 0);
      if (size > 1 && !isUnavailable(err) && !isRetryable(err) && !isRulesOutdated(err)) {
        const alone = parts.length > 1 ? parts.map((p) => [p]) : parts[0]!.batch.map((b) => [{ lane: parts[0]!.lane, batch: [b] }]);
        for (const group of alone) await this.settle(group);
        return;
      }
      const e = toNbError(err);
      for (const p of parts) for (const b of p.batch) b.reject(e);
      return;
    }
    this.options.onBatch?.(parts.reduce((n, p) => n + p.batch.length, 0), performance.now() - started);
    // Committed: the next transaction of these auctions goes first (its result
    // comes in a later turn, so events still leave in version order), then
    // the world is told, then the bids are answered, so that an answered
    // bid's event is already on its way to every watcher.
    committed();
    parts.forEach((p, i) => {
      const r = results[i]!;
      this.publisher.publish(r.events);
      if (r.balances?.length) this.publisher.publishBalances(r.balances);
    });
    parts.forEach((p, i) => p.batch.forEach((b, j) => b.resolve(toOutcome(results[i]!.results[j]!, 201))));
  }

  // One transaction: nb_place_bids for one auction, nb_place_bids_multi for several.
  private async run(parts: Part[]): Promise<RuleResult[]> {
    const bids = (p: Part) =>
      p.batch.map((b) => ({ bidderId: b.req.bidderId, amount: b.req.amount, max: b.req.max ?? false, key: b.req.key ?? null, hash: b.req.hash ?? null }));
    const onRetry = (err: unknown) => this.options.onRetry?.(err);
    if (parts.length === 1) {
      const p = parts[0]!;
      const [row] = await withRetry(
        () => this.sql<{ r: RuleResult }[]>`SELECT nb_place_bids(${p.lane.auctionId}, ${this.sql.json(bids(p))}, ${RULES_VERSION}) AS r`,
        { onRetry },
      );
      return [row!.r];
    }
    const payload = parts.map((p) => ({ auction: p.lane.auctionId, bids: bids(p) }));
    const [row] = await withRetry(
      () => this.sql<{ r: RuleResult[] }[]>`SELECT nb_place_bids_multi(${this.sql.json(payload)}, ${RULES_VERSION}) AS r`,
      { onRetry },
    );
    return row!.r;
  }
}

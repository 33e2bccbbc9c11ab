// What to bid next, shared by the daemon loop and the raw-SQL baselines so that
// every contender gets the same stream: bidders in turn, auctions uniformly at
// random, and on each auction amounts that rise by its increment with every
// bid sent, so that almost every bid is valid when it arrives. A bid that
// arrives after a higher one (they race over different connections) is refused
// BID_TOO_LOW and counted apart.
import type { AuctionSpec, Fixture } from '../harness/fixtures.js';
import type { SqlBid } from './baseline-sql.js';
import type { BidShot } from './http-bids.js';

export interface NextBid {
  auction: number;
  /** Index into the bidder list. */
  bidder: number;
  amount: number;
}

export class BidStream {
  private readonly amounts = new Map<number, number>();
  private turn = 0;
  private seed = 0x9e3779b9;

  private readonly auctions: readonly number[];
  private readonly startPrice: number;
  private readonly increment: number;

  /** Bids on the fixture's auctions by its bidders, from the auctions' start price up by their increment. */
  constructor(
    private readonly fx: Fixture,
    auction: Pick<AuctionSpec, 'startPrice' | 'minIncrement'>,
  ) {
    this.auctions = fx.auctions;
    this.startPrice = auction.startPrice;
    this.increment = auction.minIncrement;
  }

  // xorshift32: a fast, seeded choice of auction (reproducible run to run).
  private random(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed / 0x1_0000_0000;
  }

  /** Makes the next amount on an auction at least `amount` (e.g. its minimum next bid read from the database). */
  atLeast(auction: number, amount: number): void {
    if ((this.amounts.get(auction) ?? this.startPrice) < amount) this.amounts.set(auction, amount);
  }

  next(): NextBid {
    const auction = this.auctions.length === 1 ? this.auctions[0]! : this.auctions[Math.floor(this.random() * this.auctions.length)]!;
    const amount = this.amounts.get(auction) ?? this.startPrice;
    this.amounts.set(auction, amount + this.increment);
    const bidder = this.turn;
    this.turn = (this.turn + 1) % this.fx.bidders.length;
    return { auction, bidder, amount };
  }

  /** The next bid, as sent to the daemon (with the bidder's token). */
  nextShot(): BidShot {
    const b = this.next();
    return { auction: b.auction, amount: b.amount, token: this.fx.bidders[b.bidder]!.token };
  }

  /** The next bid, as sent straight to PostgreSQL (with the bidder's id). */
  nextSql(): SqlBid {
    const b = this.next();
    return { auction: b.auction, bidderId: this.fx.bidders[b.bidder]!.id, amount: b.amount };
  }
}

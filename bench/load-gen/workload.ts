// What to bid next, shared by the daemon loop and the raw-SQL baselines so that
// every contender gets the same stream: bidders in turn, auctions uniformly at
// random, and on each auction amounts that rise by its increment with every
// bid sent, so that almost every bid is valid when it arrives. A bid that
// arrives after a higher one (they race over different connections) is refused
// BID_TOO_LOW and counted apart.
//
// A share of the bids (`maxShare`, chosen by the same seeded generator) are
// maximum bids {max}: a maximum one increment above the amount, so that the
// next bid, one more increment up (amounts then rise by two increments a bid),
// uses it up — the leader's maximum shows as an automatic row, then the new
// bid leads — and a bid that arrives late is answered at once by the leader's
// maximum instead of refused.
import type { AuctionSpec, Fixture } from '../harness/fixtures.js';
import type { SqlBid } from './baseline-sql.js';
import type { BidShot } from './http-bids.js';

export interface NextBid {
  auction: number;
  /** Index into the bidder list. */
  bidder: number;
  /** The amount of a plain bid, or the maximum of a maximum bid. */
  amount: number;
  /** A maximum bid {max} rather than a plain one. */
  max: boolean;
}

export class BidStream {
  private readonly amounts = new Map<number, number>();
  private turn = 0;
  private seed = 0x9e3779b9;

  private readonly auctions: readonly number[];
  private readonly startPrice: number;
  private readonly increment: number;
  /** How far amounts rise per bid: two increments once maxima are in the stream (see above). */
  private readonly rise: number;

  /**
   * Bids on the fixture's auctions by its bidders, from the auctions' start
   * price up by their increment; `maxShare` of them (0 to 1) maximum bids.
   */
  constructor(
    private readonly fx: Fixture,
    auction: Pick<AuctionSpec, 'startPrice' | 'minIncrement'>,
    private readonly maxShare = 0,
  ) {
    this.auctions = fx.auctions;
    this.startPrice = auction.startPrice;
    this.increment = auction.minIncrement;
    this.rise = maxShare > 0 ? 2 * auction.minIncrement : auction.minIncrement;
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
    this.amounts.set(auction, amount + this.rise);
    const bidder = this.turn;
    this.turn = (this.turn + 1) % this.fx.bidders.length;
    const max = this.maxShare > 0 && this.random() < this.maxShare;
    return { auction, bidder, amount: max ? amount + this.increment : amount, max };
  }

  /** The next bid, as sent to the daemon (with the bidder's token). */
  nextShot(): BidShot {
    const b = this.next();
    return { auction: b.auction, amount: b.amount, max: b.max, token: this.fx.bidders[b.bidder]!.token };
  }

  /** The next bid, as sent straight to PostgreSQL (with the bidder's id). */
  nextSql(): SqlBid {
    const b = this.next();
    return { auction: b.auction, bidderId: this.fx.bidders[b.bidder]!.id, amount: b.amount, max: b.max };
  }
}

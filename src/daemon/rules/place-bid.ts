// A bid as both edges take it — `POST /v1/auctions/:id/bids` and a bid frame
// on the socket: the body checked by one schema, the idempotency key bound to
// one request hash, the bid queued for group commit, the answer counted. One
// path, so the two edges answer alike and a retry on either replays the other.
import { bidBody, parseInput } from '../../protocol/schemas.js';
import type { Metrics } from '../metrics.js';
import type { BidQueue } from './bid-queue.js';
import { requestHash } from './idempotency.js';
import type { Outcome } from './outcome.js';

/** The bid route, as HTTP registers it and as the request hash names it. */
export const BID_ROUTE = '/v1/auctions/:id/bids';

/**
 * The hash a bid's idempotency key is bound to: the HTTP request's (method,
 * route, the path's id as its digits, the JSON body), whichever edge the bid
 * came by, so a bid sent over HTTP and retried over the socket with the same
 * key and body — or the other way round — is recognised as the same request.
 */
export function bidRequestHash(auction: number, body: unknown): string {
  return requestHash('POST', BID_ROUTE, { params: { id: String(auction) }, body: body ?? {} });
}

export interface BidInput {
  bidderId: number;
  auction: number;
  /** The request body as sent (HTTP) or the bid frame's money fields (socket). */
  body: unknown;
  /** An idempotency key, already checked. */
  key: string | undefined;
}

/** Checks a bid's body, queues it and resolves with its answer once its transaction has committed. */
export async function placeBid(ctx: { bids: BidQueue; metrics: Pick<Metrics, 'bids'> }, bid: BidInput): Promise<Outcome> {
  const body = parseInput(bidBody, bid.body, 'bid');
  const outcome = await ctx.bids.submit(bid.auction, {
    bidderId: bid.bidderId,
    // A maximum bid carries its maximum where a plain one carries its amount.
    amount: body.max ?? body.amount!,
    max: body.max !== undefined,
    key: bid.key,
    // Only a key is ever compared with the hash; without one, skip the work (it is on every bid).
    hash: bid.key === undefined ? '' : bidRequestHash(bid.auction, bid.body),
  });
  const code = (outcome.body as { error?: { code: string } }).error?.code;
  ctx.metrics.bids.inc({ result: code ?? 'accepted' });
  return outcome;
}

// Bids over the socket: a bid frame goes down the same path as
// `POST /v1/auctions/:id/bids` (rules/place-bid.ts: the same body check, the
// same idempotency hash, the same group commit) and is answered by a `reply`
// frame carrying that request's status and body, queued on the socket only
// once the bid's transaction has committed. This is the socket's edge, as
// http/ is HTTP's: it checks who may bid (a user token), the shared request
// budget and the bids one socket may have in flight, and turns every failure
// into a reply — a refused bid never closes the socket.
import type { Logger } from 'pino';
import { nbError, type NbError } from '../../protocol/errors.js';
import { bidBodyOf, type BidFrame, type ReplyFrame } from '../../protocol/frames.js';
import { principalKey } from '../auth.js';
import { toNbError } from '../db/database.js';
import type { RateBudget } from '../rate-budget.js';
import type { BidInput } from '../rules/place-bid.js';
import type { Outcome } from '../rules/outcome.js';

/** What the hub needs to take bids: the bid path HTTP uses, and the edge's limits. */
export interface SocketBidsEnv {
  /** rules/place-bid.ts, bound to the daemon's bid queue and metrics. */
  place(bid: BidInput): Promise<Outcome>;
  /** The request budget HTTP counts in too; undefined when the rate limit is off. */
  budget: RateBudget | undefined;
  /** True once the daemon is stopping: bids are answered SHUTTING_DOWN. */
  draining(): boolean;
  log: Pick<Logger, 'error' | 'warn'>;
}

/** The socket a bid came on, as this file needs it. */
export interface Bidder {
  readonly userId: number | null;
  /** True for a socket opened with the admin token (which may not bid, as over HTTP). */
  readonly admin: boolean;
  /** Bids of this socket waiting for their replies. */
  bidsInFlight: number;
  sendReply(reply: ReplyFrame): void;
}

/** Answers one bid frame with one reply, after commit for a bid that reached the database. */
export function takeBid(env: SocketBidsEnv | undefined, conn: Bidder, frame: BidFrame, maxInFlight: number): void {
  const refuse = (err: NbError, retryAfter?: number) => conn.sendReply(errorReply(frame, err, retryAfter));
  if (!env) return refuse(nbError('UNAVAILABLE', { reason: 'noSocketBids' }));
  if (conn.userId === null) {
    return refuse(conn.admin ? nbError('FORBIDDEN', { reason: 'needsUser' }) : nbError('UNAUTHORIZED', { reason: 'socketBidNeedsUser' }));
  }
  if (env.draining()) return refuse(nbError('SHUTTING_DOWN'));
  if (conn.bidsInFlight >= maxInFlight) {
    return refuse(nbError('RATE_LIMITED', { inFlight: maxInFlight }), 1);
  }
  if (env.budget) {
    const t = env.budget.take(principalKey({ kind: 'user', id: conn.userId, name: '' }));
    if (!t.allowed) {
      const { max, windowMs } = env.budget.options;
      const retryAfter = Math.ceil(t.resetMs / 1000);
      return refuse(nbError('RATE_LIMITED', { limit: max, windowMs, retryAfterSec: retryAfter }), retryAfter);
    }
  }
  conn.bidsInFlight++;
  env
    .place({ bidderId: conn.userId, auction: frame.auction, body: bidBodyOf(frame), key: frame.key })
    .then(
      (o) => conn.sendReply(outcomeReply(frame, o)),
      (err: unknown) => {
        const e = toNbError(err);
        if (e.code === 'INTERNAL') env.log.error({ err }, 'unexpected error on a socket bid');
        else if (e.code === 'UNAVAILABLE') env.log.warn({ err: String(err) }, 'database unavailable');
        refuse(e, e.retryable ? 1 : undefined);
      },
    )
    .finally(() => conn.bidsInFlight--);
}

function outcomeReply(frame: BidFrame, o: Outcome): ReplyFrame {
  const reply: ReplyFrame = { type: 'reply', ref: frame.ref, status: o.status, body: o.body as ReplyFrame['body'] };
  if (o.replayed) reply.replayed = true;
  return reply;
}

function errorReply(frame: BidFrame, err: NbError, retryAfter?: number): ReplyFrame {
  const reply: ReplyFrame = { type: 'reply', ref: frame.ref, status: err.status, body: { error: err.toBody() } };
  if (retryAfter !== undefined) reply.retryAfter = retryAfter;
  return reply;
}

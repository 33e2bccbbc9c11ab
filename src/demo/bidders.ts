// Simulated neighbours for the demo: a few bidders that bid over HTTP like any
// client, each up to a private valuation per auction, with a taste for
// outbidding the person so the "outbid" marker shows up early. Every other one
// bids plain amounts; the rest set a maximum (their valuation) and let it
// work, raising it now and then once it is used up. Bounded in bids and in
// time; they stop by themselves once nothing is open.
import { setTimeout as delay } from 'node:timers/promises';
import { HttpClient } from '../client/http-client.js';
import { NbError } from '../protocol/errors.js';
import { stepAt } from '../protocol/increments.js';
import type { Auction } from '../protocol/types.js';

export interface Bidder {
  id: number;
  token: string;
}

export interface BiddersOptions {
  url: string;
  bidders: Bidder[];
  /** The person at the keyboard, whom the bidders like to outbid. */
  personId: number;
  /** No bid is sent after this time (epoch ms). */
  stopAt: number;
  /** Each bidder sends at most this many bids. */
  maxBidsEach?: number;
  /** Pause between one bidder's actions, in ms. */
  pauseMs?: [min: number, max: number];
  random?: () => number;
}

export interface BiddersHandle {
  /** Bids accepted so far, across bidders. */
  readonly placed: () => number;
  /** Resolves when every bidder has stopped (by itself or by stop()). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** Errors that end a bidder: the daemon is gone or stopping, or the token is refused. */
const FATAL = new Set(['UNREACHABLE', 'SHUTTING_DOWN', 'UNAUTHORIZED', 'FORBIDDEN']);

export function startBidders(options: BiddersOptions): BiddersHandle {
  const random = options.random ?? Math.random;
  const [pauseMin, pauseMax] = options.pauseMs ?? [1500, 5000];
  const maxBids = options.maxBidsEach ?? 300;
  const abort = new AbortController();
  let placed = 0;

  const sleep = (ms: number) => delay(ms, undefined, { signal: abort.signal }).catch(() => {});

  const run = async (me: Bidder, index: number) => {
    const byMaximum = index % 2 === 1;
    // The auctions this bidder has set a maximum on (it works by itself until used up).
    const maxed = new Set<number>();
    const client = new HttpClient({ url: options.url, token: me.token, keepAlive: true, timeoutMs: 10_000 });
    // What this bidder would pay at most for each auction, decided on first sight.
    const valuation = new Map<number, number>();
    let sent = 0;
    try {
      while (!abort.signal.aborted && Date.now() < options.stopAt && sent < maxBids) {
        await sleep(pauseMin + random() * (pauseMax - pauseMin));
        if (abort.signal.aborted) break;
        const { auctions } = await client.listAuctions({ status: 'open', limit: 50 });
        if (auctions.length === 0) break;
        const target = choose(auctions, me.id, options.personId, random);
        if (!target || target.minNextBid === null) continue;
        // Round numbers, as people think of them (a maximum that is used up shows as a price).
        const limit = valuation.get(target.id) ?? roundTen(target.startPrice * (2 + random() * 3));
        valuation.set(target.id, limit);
        try {
          if (target.buyNowPrice !== null && (target.currentPrice ?? 0) > target.buyNowPrice * 0.6 && random() < 0.05) {
            await client.buy(target.id);
          } else if (byMaximum) {
            // Used up already: now and then it thinks again and goes higher.
            if (maxed.has(target.id)) {
              if (random() >= 0.3) continue;
              valuation.set(target.id, roundTen(limit * (1.1 + random() * 0.3)));
            }
            const max = valuation.get(target.id)!;
            if (max < target.minNextBid) continue;
            sent++;
            maxed.add(target.id);
            await client.bidMax(target.id, max);
            placed++;
          } else {
            const extra = random() < 0.3 ? stepAt(target.increments, target.currentPrice ?? target.startPrice) * Math.ceil(random() * 3) : 0;
            const amount = target.minNextBid + extra;
            if (amount > limit) continue;
            sent++;
            await client.bid(target.id, amount);
            placed++;
          }
        } catch (err) {
          // Losing a race (BID_TOO_LOW, AUCTION_CLOSED, …) is part of bidding; a dead daemon is not.
          if (!(err instanceof NbError) || FATAL.has(err.code)) break;
        }
      }
    } catch {
      // Listing failed: the daemon is going away; this bidder is done.
    } finally {
      client.close();
    }
  };

  const done = Promise.all(options.bidders.map((b, i) => run(b, i))).then(() => {});
  return {
    placed: () => placed,
    done,
    async stop() {
      abort.abort();
      await done;
    },
  };
}

function roundTen(n: number): number {
  return Math.max(10, Math.round(n / 10) * 10);
}

/** Picks an auction: often one the person leads, else one of the soonest ending that this bidder does not lead. */
function choose(auctions: Auction[], meId: number, personId: number, random: () => number): Auction | undefined {
  const candidates = auctions.filter((a) => a.leaderId !== meId && a.sellerId !== meId);
  const personLeads = candidates.filter((a) => a.leaderId === personId);
  if (personLeads.length > 0 && random() < 0.35) return personLeads[Math.floor(random() * personLeads.length)];
  const soon = candidates.slice(0, 8);
  return soon[Math.floor(random() * soon.length)];
}

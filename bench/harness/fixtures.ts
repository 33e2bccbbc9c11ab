// The people and auctions a scenario bids with, made through the daemon's API
// (src/client), never by writing to the database behind its back.
import { HttpClient } from '../../src/client/http-client.js';

/** Runs fn over items with at most `limit` at a time, keeping the order of results. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface FixtureUser {
  id: number;
  token: string;
}

export interface AuctionSpec {
  startPrice: number;
  minIncrement: number;
  durationSec: number;
}

/** Every bidder's balance in the throughput scenarios: rich enough never to run out. */
export const BALANCE = 1_000_000_000_000;
/** The auctions of a throughput workload: open a week, prices rising by 1 from 1. */
export const AUCTION: AuctionSpec = { startPrice: 1, minIncrement: 1, durationSec: 7 * 24 * 3600 };

/** What a scenario bids with: its bidders, and the auctions of one seller in creation order. */
export interface Fixture {
  bidders: FixtureUser[];
  auctions: number[];
}

export interface FixtureSpec {
  /** Names the users (`<name>-seller`, `<name>-bidder-<i>`) and the lots (`<name> lot <i>`). */
  name: string;
  bidders: number;
  /** Each bidder's balance (the seller has none). */
  balance: number;
  auctions: number;
  auction: AuctionSpec;
}

/** Makes a seller, the bidders and the seller's auctions through the daemon at `url`; `admin` makes the users. */
export async function makeFixture(admin: HttpClient, url: string, spec: FixtureSpec): Promise<Fixture> {
  const [seller] = await createUsers(admin, `${spec.name}-seller`, 1, 0);
  const bidders = await createUsers(admin, `${spec.name}-bidder`, spec.bidders, spec.balance);
  const auctions = await createAuctions(url, seller!, `${spec.name} lot`, spec.auctions, spec.auction);
  return { bidders, auctions };
}

/** Creates `count` users with the given balance each. */
async function createUsers(admin: HttpClient, prefix: string, count: number, balance: number): Promise<FixtureUser[]> {
  const indexes = Array.from({ length: count }, (_, i) => i);
  return mapLimit(indexes, 16, async (i) => {
    const u = await admin.createUser(`${prefix}-${i + 1}`, balance);
    return { id: u.id, token: u.token };
  });
}

/** Opens `count` auctions with `seller` as their seller; returns their ids in creation order. */
async function createAuctions(url: string, seller: FixtureUser, prefix: string, count: number, spec: AuctionSpec): Promise<number[]> {
  const client = new HttpClient({ url, token: seller.token, keepAlive: true });
  try {
    const indexes = Array.from({ length: count }, (_, i) => i);
    return await mapLimit(indexes, 16, async (i) => (await client.createAuction({ title: `${prefix} ${i + 1}`, ...spec })).id);
  } finally {
    client.close();
  }
}

// The people and auctions a scenario bids with, made through the daemon's API
// (src/client), never by writing to the database behind its back.
import { HttpClient } from '../src/client/http-client.js';

/** Runs fn over items with at most `limit` at a time, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
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

/** Creates `count` users with the given balance each. */
export async function createUsers(admin: HttpClient, prefix: string, count: number, balance: number): Promise<FixtureUser[]> {
  const indexes = Array.from({ length: count }, (_, i) => i);
  return mapLimit(indexes, 16, async (i) => {
    const u = await admin.createUser(`${prefix}-${i + 1}`, balance);
    return { id: u.id, token: u.token };
  });
}

export interface AuctionSpec {
  startPrice: number;
  minIncrement: number;
  durationSec: number;
}

/** Opens `count` auctions with `seller` as their seller; returns their ids in creation order. */
export async function createAuctions(url: string, seller: FixtureUser, prefix: string, count: number, spec: AuctionSpec): Promise<number[]> {
  const client = new HttpClient({ url, token: seller.token, keepAlive: true });
  try {
    const indexes = Array.from({ length: count }, (_, i) => i);
    return await mapLimit(indexes, 16, async (i) => (await client.createAuction({ title: `${prefix} ${i + 1}`, ...spec })).id);
  } finally {
    client.close();
  }
}

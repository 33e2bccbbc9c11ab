// Users, auctions and bids for delivery tests, made through the HTTP API, and
// the outbox as the database holds it (the truth every watcher is held to).
import postgres from 'postgres';
import { HttpClient } from '../../src/client/http-client.js';
import type { AuctionEvent } from '../../src/protocol/events.js';
import type { CreateAuctionBody } from '../../src/protocol/schemas.js';
import type { Auction } from '../../src/protocol/types.js';

export interface Trader {
  id: number;
  token: string;
  client: HttpClient;
}

export async function makeTrader(url: string, admin: HttpClient, name: string, balance = 1_000_000_000): Promise<Trader> {
  const u = await admin.createUser(name, balance);
  return { id: u.id, token: u.token, client: new HttpClient({ url, token: u.token }) };
}

export async function makeAuctions(seller: Trader, count: number, over: Partial<CreateAuctionBody> = {}): Promise<Auction[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      seller.client.createAuction({ title: `lot ${i}`, startPrice: 100, minIncrement: 10, durationSec: 3600, ...over }),
    ),
  );
}

/** Places `count` accepted bids one after another, alternating bidders, from `from` up by 10. */
export async function bidUp(bidders: Trader[], auction: number, count: number, from: number): Promise<number> {
  let amount = from;
  for (let i = 0; i < count; i++) {
    await bidders[i % bidders.length]!.client.bid(auction, amount);
    amount += 10;
  }
  return amount;
}

/** The committed events of an auction, in version order, read straight from the outbox. */
export async function outbox(databaseUrl: string, auction: number): Promise<AuctionEvent[]> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ payload: AuctionEvent }[]>`
      SELECT payload FROM events WHERE auction_id = ${auction} ORDER BY version`;
    return rows.map((r) => r.payload);
  } finally {
    await sql.end();
  }
}

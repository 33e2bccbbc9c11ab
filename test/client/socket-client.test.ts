// The socket client against an in-process daemon: states, subscriptions and
// their refusals, private events, a refused token, failover and giving up,
// bids over the socket (replies, a lost socket, a timeout) and batch frames.
import { describe, expect, it } from 'vitest';
import { SocketClient, socketUrl, type AuctionMessage, type SocketState } from '../../src/client/socket-client.js';
import { NbError } from '../../src/protocol/errors.js';
import type { PrivateEvent } from '../../src/protocol/events.js';
import { deadUrl } from '../helpers/daemon.js';
import { useDaemon } from '../helpers/fixture.js';
import { makeAuctions, makeTrader } from '../helpers/market.js';
import { waitFor } from '../helpers/poll.js';
import { holdAuctionRow } from '../helpers/row-lock.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

const file = useDaemon();

describe('socketUrl', () => {
  it('turns a daemon base URL into its socket URL', () => {
    expect(socketUrl('http://127.0.0.1:7700')).toBe('ws://127.0.0.1:7700/v1/ws');
    expect(socketUrl('https://bids.example/nb/')).toBe('wss://bids.example/nb/v1/ws');
    expect(socketUrl('ws://127.0.0.1:1/v1/ws')).toBe('ws://127.0.0.1:1/v1/ws');
    expect(() => socketUrl('ftp://x')).toThrow(/not an http/);
  });
});

describe('SocketClient', () => {
  it('goes connecting → live, delivers a snapshot then each event, and reports unknown auctions to the handler', async () => {
    const seller = await makeTrader(file.daemon.url, file.daemon.admin, 'seller', 0);
    const ann = await makeTrader(file.daemon.url, file.daemon.admin, 'ann');
    const [lot] = await makeAuctions(seller, 1);
    const states: SocketState[] = [];
    const client = new SocketClient({ url: file.daemon.url, onState: (s) => states.push(s) });
    try {
      const seen: AuctionMessage[] = [];
      const missing: AuctionMessage[] = [];
      await client.subscribe([lot!.id], (m) => seen.push(m));
      await client.subscribe([999_999], (m) => missing.push(m));
      await waitFor(() => seen.length === 1 && missing.length === 1, 10_000, 'snapshot and refusal');
      await ann.client.bid(lot!.id, 100);
      await waitFor(() => seen.length === 2, 10_000, 'the bid');
      expect(seen.map((m) => m.type)).toEqual(['snapshot', 'bid']);
      expect(seen[0]).toMatchObject({ type: 'snapshot', auction: lot!.id, version: 0, state: { id: lot!.id, status: 'open' } });
      expect(missing).toEqual([expect.objectContaining({ type: 'error', auction: 999_999, code: 'NOT_FOUND' })]);
      expect(client.subscriptions()).toEqual([lot!.id]);
      expect(client.version(lot!.id)).toBe(1);
      expect(states.map((s) => s.kind)).toEqual(['connecting', 'live']);
      expect(states[1]).toMatchObject({ daemonId: file.daemon.daemonId, userId: null });
      expect(client.limits?.maxSubscriptions).toBe(1000);

      client.unsubscribe([lot!.id]);
      await ann.client.bid(lot!.id, 200);
      // A sentinel: a bid on another auction, watched, committed after the one this client must not see.
      const [other] = await makeAuctions(seller, 1);
      const sentinel: AuctionMessage[] = [];
      await client.subscribe([other!.id], (m) => sentinel.push(m));
      await ann.client.bid(other!.id, 100);
      await waitFor(() => sentinel.some((m) => m.type === 'bid'), 10_000, 'the sentinel bid');
      expect(seen).toHaveLength(2);
    } finally {
      await client.close();
    }
    expect(client.state).toEqual({ kind: 'closed', reason: 'closed by the client' });
  });

  it("hands the token's user their private events", async () => {
    const seller = await makeTrader(file.daemon.url, file.daemon.admin, 'seller2', 0);
    const [ann, bob] = await Promise.all([makeTrader(file.daemon.url, file.daemon.admin, 'ann2'), makeTrader(file.daemon.url, file.daemon.admin, 'bob2')]);
    const [lot] = await makeAuctions(seller, 1);
    const privates: PrivateEvent[] = [];
    const client = new SocketClient({ url: file.daemon.url, token: ann.token, onPrivate: (e) => privates.push(e) });
    try {
      await waitFor(() => client.state.kind === 'live', 10_000, 'live');
      await ann.client.bid(lot!.id, 100);
      await bob.client.bid(lot!.id, 150);
      await waitFor(() => privates.some((e) => e.type === 'outbid'), 10_000, 'outbid');
      expect(privates.find((e) => e.type === 'outbid')).toMatchObject({ auction: lot!.id, price: 150, leaderId: bob.id, released: 100 });
    } finally {
      await client.close();
    }
  });

  it('stops for good with UNAUTHORIZED when the daemon refuses the token', async () => {
    const client = new SocketClient({ url: file.daemon.url, token: 'nb_u1_wrong', backoff: { initialMs: 10 } });
    await waitFor(() => client.state.kind === 'closed', 10_000, 'closed');
    expect(client.state).toMatchObject({ kind: 'closed', error: { code: 'UNAUTHORIZED' } });
    expect(client.stats.reconnects).toBe(0);
    await client.close();
  });

  it('tries the next URL when one is down, and gives up after maxAttempts when all are', async () => {
    const states: SocketState[] = [];
    const client = new SocketClient({ url: [await deadUrl(), file.daemon.url], onState: (s) => states.push(s), backoff: { initialMs: 10, maxMs: 50 } });
    await waitFor(() => client.state.kind === 'live', 10_000, 'live on the second URL');
    expect(states.some((s) => s.kind === 'reconnecting' && /ECONNREFUSED/.test(s.reason))).toBe(true);
    await client.close();

    const hopeless = new SocketClient({ url: await deadUrl(), backoff: { initialMs: 10, maxMs: 20, maxAttempts: 3 } });
    await waitFor(() => hopeless.state.kind === 'closed', 10_000, 'giving up');
    expect(hopeless.state).toMatchObject({ kind: 'closed', error: { code: 'UNREACHABLE' } });
    expect(hopeless.stats.reconnects).toBe(2);
    await hopeless.close();
  });

  it('bids over the socket: a reply for every bid, refusals included, and the same reply for a retried key', async () => {
    const seller = await makeTrader(file.daemon.url, file.daemon.admin, 'bseller', 0);
    const ann = await makeTrader(file.daemon.url, file.daemon.admin, 'bann', 1000);
    const [lot] = await makeAuctions(seller, 1);
    const client = new SocketClient({ url: file.daemon.url, token: ann.token });
    const anon = new SocketClient({ url: file.daemon.url });
    try {
      await waitFor(() => client.canBid, 10_000, 'able to bid');
      expect(client.features).toEqual(['batch', 'bid']);
      const accepted = await client.bid(lot!.id, { amount: 100 }, { key: 'c-1' });
      expect(accepted).toMatchObject({ status: 201, replayed: false, body: { bid: { amount: 100, bidderId: ann.id } } });
      expect(await client.bid(lot!.id, { amount: 100 }, { key: 'c-1' })).toEqual({ ...accepted, replayed: true });
      expect(await client.bid(lot!.id, { amount: 105 })).toMatchObject({ status: 422, body: { error: { code: 'BID_TOO_LOW', minimum: 110 } } });
      expect(await client.bid(lot!.id, { amount: 5000 })).toMatchObject({ status: 422, body: { error: { code: 'INSUFFICIENT_FUNDS' } } });
      expect(client.state.kind).toBe('live');
      // Without a user token the socket watches but cannot bid: the call says so at once.
      await waitFor(() => anon.state.kind === 'live', 10_000, 'anonymous live');
      expect(anon.canBid).toBe(false);
      await expect(anon.bid(lot!.id, { amount: 200 })).rejects.toMatchObject({ code: 'UNREACHABLE' });
    } finally {
      await Promise.all([client.close(), anon.close()]);
    }
  });

  it('fails a bid whose socket is lost before the reply with a retryable UNREACHABLE; the same key over HTTP bids once', async () => {
    const seller = await makeTrader(file.daemon.url, file.daemon.admin, 'lseller', 0);
    const ann = await makeTrader(file.daemon.url, file.daemon.admin, 'lann', 1000);
    const [lot] = await makeAuctions(seller, 1);
    const proxy = await startTcpProxy(file.daemon.url);
    const client = new SocketClient({ url: proxy.url, token: ann.token, backoff: { initialMs: 10_000 } });
    try {
      await waitFor(() => client.canBid, 10_000, 'able to bid');
      const hold = await holdAuctionRow(file.db.url, lot!.id);
      let lost: unknown;
      try {
        const pending = client.bid(lot!.id, { amount: 100 }, { key: 'lost-1' }).catch((err: unknown) => (lost = err));
        await hold.waitedOn();
        await proxy.cut();
        await pending;
        expect(lost).toBeInstanceOf(NbError);
        expect(lost).toMatchObject({ code: 'UNREACHABLE', retryable: true });
      } finally {
        await hold.release();
      }
      // The bid was made (it only waited); the retry with its key says so and bids nothing more.
      const retried = await ann.client.request<{ bid: { amount: number } }>('POST', `/v1/auctions/${lot!.id}/bids`, { amount: 100 }, { idempotencyKey: 'lost-1' });
      expect(retried).toMatchObject({ status: 201, replayed: true, body: { bid: { amount: 100 } } });
      expect((await ann.client.auction(lot!.id)).bidCount).toBe(1);
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it('fails a bid with UNREACHABLE when no reply comes in time', async () => {
    const seller = await makeTrader(file.daemon.url, file.daemon.admin, 'tseller', 0);
    const ann = await makeTrader(file.daemon.url, file.daemon.admin, 'tann', 1000);
    const [lot] = await makeAuctions(seller, 1);
    const client = new SocketClient({ url: file.daemon.url, token: ann.token, bidTimeoutMs: 200 });
    try {
      await waitFor(() => client.canBid, 10_000, 'able to bid');
      const hold = await holdAuctionRow(file.db.url, lot!.id);
      try {
        await expect(client.bid(lot!.id, { amount: 100 })).rejects.toMatchObject({ code: 'UNREACHABLE', message: /No reply to the bid within 200 ms/ });
      } finally {
        await hold.release();
      }
    } finally {
      await client.close();
    }
  });

  it('delivers events from batch frames once each, in order, as a client without batches gets them', async () => {
    const seller = await makeTrader(file.daemon.url, file.daemon.admin, 'bfseller', 0);
    const ann = await makeTrader(file.daemon.url, file.daemon.admin, 'bfann');
    const [lot] = await makeAuctions(seller, 1);
    const batched = new SocketClient({ url: file.daemon.url, token: ann.token });
    const single = new SocketClient({ url: file.daemon.url, batch: false });
    const got = { batched: [] as AuctionMessage[], single: [] as AuctionMessage[] };
    try {
      await batched.subscribe([lot!.id], (m) => got.batched.push(m));
      await single.subscribe([lot!.id], (m) => got.single.push(m));
      await waitFor(() => batched.canBid && got.batched.length === 1 && got.single.length === 1, 10_000, 'snapshots');
      // Ten bids that commit together (the row is held while they queue), so their events share turns and batches.
      const hold = await holdAuctionRow(file.db.url, lot!.id);
      const replies = Array.from({ length: 10 }, (_, i) => batched.bid(lot!.id, { amount: 100 + 10 * i }));
      await hold.waitedOn();
      await hold.release();
      expect((await Promise.all(replies)).map((r) => r.status)).toEqual(Array(10).fill(201));
      await waitFor(() => got.batched.length === 11 && got.single.length === 11, 10_000, 'ten events each');
      expect(got.batched.map((m) => m.type === 'bid' && m.version)).toEqual([false, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(got.batched).toEqual(got.single);
      expect(batched.stats).toMatchObject({ duplicatesDropped: 0, gapsResynced: 0 });
      expect(batched.stats.batches).toBeGreaterThan(0);
      expect(single.stats.batches).toBe(0);
    } finally {
      await Promise.all([batched.close(), single.close()]);
    }
  });
});

// The socket client against an in-process daemon: states, subscriptions and
// their refusals, private events, refused upgrades (read from their error
// bodies), failover and giving up, bids over the socket (replies, a lost
// socket, a timeout) and batch frames.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SocketClient, socketUrl, type AuctionMessage, type SocketState } from '../../src/client/socket-client.js';
import { NbError } from '../../src/protocol/errors.js';
import type { PrivateEvent } from '../../src/protocol/events.js';
import type { InboxEvent } from '../../src/protocol/inbox.js';
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
      // Its snapshot first: a bid committed before the snapshot is read comes inside it, not as an event.
      await waitFor(() => sentinel.length > 0, 10_000, 'the sentinel snapshot');
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

  it("resumes the user's private events after a lost connection with exactly the ones missed, and from a saved seq", async () => {
    const seller = await makeTrader(file.daemon.url, file.daemon.admin, 'seller3', 0);
    const [ann, bob] = await Promise.all([makeTrader(file.daemon.url, file.daemon.admin, 'ann3'), makeTrader(file.daemon.url, file.daemon.admin, 'bob3')]);
    const [lot] = await makeAuctions(seller, 1);
    const proxy = await startTcpProxy(file.daemon.url);
    const privates: InboxEvent[] = [];
    const client = new SocketClient({ url: proxy.url, token: ann.token, onPrivate: (e) => privates.push(e), backoff: { initialMs: 50, maxMs: 300 } });
    /** A deposit to ann: its balance event is her newest; resolves once the client delivered it. */
    const sentinel = async (c: SocketClient) => {
      const { balance } = await file.daemon.admin.deposit(ann.id, 1);
      await waitFor(() => c.inboxSeq !== undefined && privates.some((e) => e.type === 'balance' && e.balance === balance), 10_000, 'the sentinel');
    };
    try {
      await waitFor(() => client.state.kind === 'live', 10_000, 'live');
      expect(client.inboxSeq).toBe(0);
      await ann.client.bid(lot!.id, 100);
      await waitFor(() => privates.length === 1, 10_000, 'the hold');
      await proxy.cut();
      await waitFor(() => client.state.kind !== 'live', 10_000, 'the client to notice the cut');
      // Missed while away: outbid, the release, a deposit.
      await bob.client.bid(lot!.id, 150);
      await file.daemon.admin.deposit(ann.id, 10);
      await proxy.restore();
      await sentinel(client);
      expect(privates.map((e) => `${e.seq}:${e.type}`)).toEqual(['1:balance', '2:outbid', '3:balance', '4:balance', '5:balance']);
      expect(privates).toEqual((await ann.client.inbox(0)).events);
      expect(client.stats).toMatchObject({ duplicatesDropped: 0, gapsResynced: 0 });
      expect(client.stats.connections).toBeGreaterThanOrEqual(2);
      expect(client.inboxSeq).toBe(5);
    } finally {
      await client.close();
      await proxy.close();
    }

    // A later run that saved seq 2 gets 3, 4, 5 and then what comes.
    privates.length = 0;
    const later = new SocketClient({ url: file.daemon.url, token: ann.token, inboxAfter: 2, onPrivate: (e) => privates.push(e) });
    try {
      await sentinel(later);
      expect(privates.map((e) => e.seq)).toEqual([3, 4, 5, 6]);
    } finally {
      await later.close();
    }
  });

  it('stops for good with UNAUTHORIZED when the daemon refuses the token, in the daemon\'s words', async () => {
    const client = new SocketClient({ url: file.daemon.url, token: 'nb_u1_wrong', backoff: { initialMs: 10 } });
    await waitFor(() => client.state.kind === 'closed', 10_000, 'closed');
    expect(client.state).toMatchObject({
      kind: 'closed',
      reason: 'The token is not valid.',
      error: { code: 'UNAUTHORIZED', message: 'The token is not valid.', details: { reason: 'invalid' } },
    });
    expect(client.stats.reconnects).toBe(0);
    await client.close();
  });

  it('stops for good on any refusal that retrying cannot cure, with its code', async () => {
    const client = new SocketClient({ url: `${file.daemon.url}/nope`, backoff: { initialMs: 10 } });
    await waitFor(() => client.state.kind === 'closed', 10_000, 'closed');
    expect(client.state).toMatchObject({
      kind: 'closed',
      error: { code: 'NOT_FOUND', message: 'No WebSocket endpoint at /nope/v1/ws; use /v1/ws.' },
    });
    expect(client.stats.reconnects).toBe(0);
    await client.close();
  });

  it('names a refusal without a readable error by its status: a gateway\'s 502 is retried as UNAVAILABLE, a 500 ends it', async () => {
    const answers = [502, 500];
    const gateway = createServer((_req, res) => {
      res.writeHead(answers.shift() ?? 500, { 'content-type': 'text/html' });
      res.end('<html>Bad gateway</html>');
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    const states: SocketState[] = [];
    const client = new SocketClient({
      url: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`,
      onState: (st) => states.push(st),
      backoff: { initialMs: 10, maxMs: 20 },
    });
    try {
      await waitFor(() => client.state.kind === 'closed', 10_000, 'closed');
      expect(states.find((st) => st.kind === 'reconnecting')).toMatchObject({ error: { code: 'UNAVAILABLE' } });
      expect(client.state).toMatchObject({
        kind: 'closed',
        error: { code: 'INTERNAL', message: 'The daemon refused the socket with HTTP 500 and no error it could read.' },
      });
    } finally {
      await client.close();
      gateway.close();
    }
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

// The socket client against an in-process daemon: states, subscriptions and
// their refusals, private events, refused upgrades (read from their error
// bodies), failover and giving up.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SocketClient, socketUrl, type AuctionMessage, type SocketState } from '../../src/client/socket-client.js';
import type { PrivateEvent } from '../../src/protocol/events.js';
import type { InboxEvent } from '../../src/protocol/inbox.js';
import { deadUrl } from '../helpers/daemon.js';
import { useDaemon } from '../helpers/fixture.js';
import { makeAuctions, makeTrader } from '../helpers/market.js';
import { waitFor } from '../helpers/poll.js';
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
});

// The socket client against an in-process daemon: states, subscriptions and
// their refusals, private events, a refused token, failover and giving up.
import { describe, expect, it } from 'vitest';
import { SocketClient, socketUrl, type AuctionMessage, type SocketState } from '../../src/client/socket-client.js';
import type { PrivateEvent } from '../../src/protocol/events.js';
import { deadUrl } from '../helpers/daemon.js';
import { useDaemon } from '../helpers/fixture.js';
import { makeAuctions, makeTrader } from '../helpers/market.js';
import { waitFor } from '../helpers/poll.js';

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
});

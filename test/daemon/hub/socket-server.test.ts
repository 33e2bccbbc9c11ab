// The WebSocket edge of an in-process daemon: upgrades and their refusals,
// welcome, private events to their user only, heartbeats, catch-up of events
// nobody announced, and 1001 on shutdown.
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../../src/protocol/frames.js';
import { startTestDaemon } from '../../helpers/daemon.js';
import { useDaemon } from '../../helpers/fixture.js';
import { makeAuctions, makeTrader, outbox } from '../../helpers/market.js';
import { framesOf, openWatcher, refusedUpgrade } from '../../helpers/watcher.js';
import { waitFor } from '../../helpers/poll.js';
import { RULES_VERSION } from '../../../src/daemon/rules/sql/index.js';

const file = useDaemon({ sockets: { heartbeatMs: 1000 }, catchUpMs: 200 });

const wsUrl = () => `${file.daemon.url.replace('http', 'ws')}/v1/ws`;

describe('upgrades', () => {
  it('welcomes anonymous watchers and users (token in the header or ?token=) with their id and the limits', async () => {
    const user = await makeTrader(file.daemon.url, file.daemon.admin, 'welcome');
    const anon = await openWatcher(file.daemon.url);
    expect(anon.frames[0]).toMatchObject({ type: 'welcome', userId: null, daemonId: file.daemon.daemonId });
    expect(anon.frames[0]).toMatchObject({ limits: { maxSubscriptions: 1000, maxPayloadBytes: 65536, heartbeatMs: 1000 } });
    const byHeader = await openWatcher(file.daemon.url, { token: user.token });
    expect(byHeader.frames[0]).toMatchObject({ type: 'welcome', userId: user.id });
    const byQuery = new WebSocket(`${wsUrl()}?token=${encodeURIComponent(user.token)}`);
    const first = await new Promise<ServerFrame>((r) => byQuery.once('message', (d) => r(JSON.parse(String(d)))));
    expect(first).toMatchObject({ type: 'welcome', userId: user.id });
    byQuery.close();
    await Promise.all([anon.close(), byHeader.close()]);
  });

  it('refuses a wrong token (401), another path (404) and answers a plain GET with 400', async () => {
    expect((await refusedUpgrade(wsUrl(), { authorization: 'Bearer nb_u1_nope' })).status).toBe(401);
    expect((await refusedUpgrade(`${wsUrl()}?token=wrong`)).status).toBe(401);
    expect((await refusedUpgrade(`${file.daemon.url.replace('http', 'ws')}/v1/other`)).status).toBe(404);
    const plain = await fetch(`${file.daemon.url}/v1/ws`);
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as { error: { code: string } }).error.code).toBe('INVALID_INPUT');
  });
});

describe('private events', () => {
  it('go to the sockets of the user concerned and nobody else', async () => {
    const seller = await makeTrader(file.daemon.url, file.daemon.admin, 'pseller', 0);
    const [ann, bob] = await Promise.all([makeTrader(file.daemon.url, file.daemon.admin, 'pann'), makeTrader(file.daemon.url, file.daemon.admin, 'pbob')]);
    const [lot] = await makeAuctions(seller, 1);
    const annSocket = await openWatcher(file.daemon.url, { token: ann.token });
    const bobSocket = await openWatcher(file.daemon.url, { token: bob.token });
    const anon = await openWatcher(file.daemon.url);
    await ann.client.bid(lot!.id, 100);
    await bob.client.bid(lot!.id, 200);
    await file.daemon.admin.deposit(ann.id, 5);
    await annSocket.until((f) => f.filter((x) => x.type === 'balance').length === 3, 10_000, "ann's balances");
    const annPrivate = annSocket.frames.filter((f) => f.type === 'outbid' || f.type === 'balance');
    expect(annPrivate).toEqual([
      expect.objectContaining({ type: 'balance', userId: ann.id, held: 100 }),
      expect.objectContaining({ type: 'outbid', auction: lot!.id, version: 2, price: 200, leaderId: bob.id, released: 100 }),
      expect.objectContaining({ type: 'balance', userId: ann.id, held: 0 }),
      expect.objectContaining({ type: 'balance', userId: ann.id, balance: 1_000_000_005, held: 0, available: 1_000_000_005 }),
    ]);
    await bobSocket.until((f) => f.some((x) => x.type === 'balance'), 10_000, "bob's balance");
    // Sentinels committed after everything above: bob's own deposit, and a bid the anonymous watcher sees.
    await file.daemon.admin.deposit(bob.id, 3);
    await bobSocket.until((f) => f.some((x) => x.type === 'balance' && x.balance === 1_000_000_003), 10_000, "bob's sentinel deposit");
    anon.send({ op: 'subscribe', auctions: [lot!.id] });
    await anon.until((f) => framesOf(f, lot!.id).length === 1, 10_000, 'snapshot');
    await bob.client.bid(lot!.id, 300); // bob raises his own lead: nobody is outbid
    await anon.until((f) => framesOf(f, lot!.id).length === 2, 10_000, 'the sentinel bid');
    expect(bobSocket.frames.filter((f) => f.type === 'outbid')).toEqual([]);
    expect(bobSocket.frames.filter((f) => f.type === 'balance').every((f) => f.type === 'balance' && f.userId === bob.id)).toBe(true);
    expect(anon.frames.filter((f) => f.type === 'outbid' || f.type === 'balance')).toEqual([]);
    await Promise.all([annSocket.close(), bobSocket.close(), anon.close()]);
  });
});

describe('delivery without a notification', () => {
  it('events committed by someone who never notified (a daemon that died after commit) reach watchers by catch-up', async () => {
    const seller = await makeTrader(file.daemon.url, file.daemon.admin, 'cseller', 0);
    const bidder = await makeTrader(file.daemon.url, file.daemon.admin, 'cbidder');
    const [lot] = await makeAuctions(seller, 1);
    const w = await openWatcher(file.daemon.url);
    w.send({ op: 'subscribe', auctions: [lot!.id] });
    await w.until((f) => framesOf(f, lot!.id).length === 1, 10_000, 'snapshot');
    // The rule run straight on the database: committed, in the outbox, announced to no one.
    const bids = [100, 110, 120].map((amount) => ({ bidderId: bidder.id, amount }));
    await file.daemon.context.sql`SELECT nb_place_bids(${lot!.id}, ${file.daemon.context.sql.json(bids)}, ${RULES_VERSION})`;
    await w.until((f) => framesOf(f, lot!.id).length === 4, 10_000, 'the three events');
    expect(framesOf(w.frames, lot!.id).slice(1)).toEqual(await outbox(file.db.url, lot!.id));
    await w.close();
  });
});

describe('subscriptions', () => {
  it('resume after a version with exactly the later events, and stop at unsubscribe', async () => {
    const seller = await makeTrader(file.daemon.url, file.daemon.admin, 'rseller', 0);
    const bidder = await makeTrader(file.daemon.url, file.daemon.admin, 'rbidder');
    const [lot] = await makeAuctions(seller, 1);
    for (const amount of [100, 110, 120, 130]) await bidder.client.bid(lot!.id, amount);
    const w = await openWatcher(file.daemon.url);
    w.send({ op: 'subscribe', auctions: [lot!.id], after: { [lot!.id]: 2 } });
    await w.until((f) => framesOf(f, lot!.id).length === 2, 10_000, 'versions 3 and 4');
    expect(framesOf(w.frames, lot!.id).map((f) => f.type === 'bid' && f.version)).toEqual([3, 4]);
    w.send({ op: 'unsubscribe', auctions: [lot!.id] });
    await w.until((f) => f.some((x) => x.type === 'unsubscribed'), 10_000, 'unsubscribed');
    await bidder.client.bid(lot!.id, 140);
    // A sentinel: a bid on another auction this socket watches, committed after the one it must not see.
    const [other] = await makeAuctions(seller, 1);
    w.send({ op: 'subscribe', auctions: [other!.id] });
    await w.until((f) => framesOf(f, other!.id).length === 1, 10_000, 'snapshot of the sentinel auction');
    await bidder.client.bid(other!.id, 100);
    await w.until((f) => framesOf(f, other!.id).length === 2, 10_000, 'the sentinel bid');
    expect(framesOf(w.frames, lot!.id)).toHaveLength(2);
    await w.close();
  });
});

describe('metrics', () => {
  it('count open sockets, subscriptions, events fanned out and commit-to-send latency', async () => {
    const seller = await makeTrader(file.daemon.url, file.daemon.admin, 'mseller', 0);
    const bidder = await makeTrader(file.daemon.url, file.daemon.admin, 'mbidder');
    const [lot] = await makeAuctions(seller, 1);
    const watchers = await Promise.all([openWatcher(file.daemon.url), openWatcher(file.daemon.url)]);
    for (const w of watchers) w.send({ op: 'subscribe', auctions: [lot!.id] });
    for (const w of watchers) await w.until((f) => framesOf(f, lot!.id).length === 1, 10_000, 'snapshot');
    const before = await file.daemon.context.metrics.sockets.fannedOut.get();
    const publicBefore = before.values.find((v) => v.labels.kind === 'public')?.value ?? 0;
    await bidder.client.bid(lot!.id, 100);
    for (const w of watchers) await w.until((f) => framesOf(f, lot!.id).length === 2, 10_000, 'the bid');
    const text = await (await fetch(`${file.daemon.url}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('nb_ws_sockets')).toBeGreaterThanOrEqual(2);
    expect(value('nb_ws_subscriptions')).toBeGreaterThanOrEqual(2);
    expect(value('nb_ws_events_fanned_out_total\\{kind="public"\\}')).toBe(publicBefore + 2);
    expect(value('nb_ws_commit_to_send_seconds_count')).toBeGreaterThanOrEqual(1);
    await Promise.all(watchers.map((w) => w.close()));
  });
});

describe('heartbeats', () => {
  it('drop a peer that stops answering pings and keep one that answers', async () => {
    const dead = await openWatcher(file.daemon.url, { autoPong: false });
    const alive = await openWatcher(file.daemon.url);
    const closed = await dead.closed;
    expect(closed.code).toBe(1006); // terminated: a dead peer gets no close handshake
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    const drops = await file.daemon.context.metrics.sockets.heartbeatDrops.get();
    expect(drops.values[0]!.value).toBeGreaterThanOrEqual(1);
    await alive.close();
  });
});

describe('shutdown', () => {
  it('closes every socket with 1001 going away', async () => {
    const other = await startTestDaemon(file.db.url);
    try {
      const w = await openWatcher(other.url);
      const closing = other.close();
      expect(await w.closed).toEqual({ code: 1001, reason: 'SHUTTING_DOWN' });
      await closing;
    } finally {
      await other.close();
      await other.removeDir();
    }
  });
});

// Private events on a real socket of an in-process daemon: the welcome says
// where a user's socket starts; an `inbox` frame restarts it at any position
// and gets exactly the events after it (kept ones, then live ones), each once,
// in seq order; an anonymous socket has no inbox; a pruned stretch is said.
// Nothing waits to prove an absence: the last event is a deposit (a sentinel).
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { pruneInbox } from '../../../src/daemon/rules/inbox.js';
import { isPrivateEvent } from '../../../src/protocol/events.js';
import type { ServerFrame } from '../../../src/protocol/frames.js';
import type { InboxEvent } from '../../../src/protocol/inbox.js';
import { useDaemon } from '../../helpers/fixture.js';
import { waitFor } from '../../helpers/poll.js';
import { makeAuctions, makeTrader, type Trader } from '../../helpers/market.js';
import { openWatcher } from '../../helpers/watcher.js';

const file = useDaemon();

const privateFrames = (frames: ServerFrame[]) => frames.filter((f): f is InboxEvent => isPrivateEvent(f));

/** Frames after the last `inbox` answer (a restart), as the socket's private stream. */
function afterLastAck(frames: ServerFrame[]): { ack: ServerFrame | undefined; events: InboxEvent[] } {
  const i = frames.map((f) => f.type).lastIndexOf('inbox');
  return { ack: frames[i], events: privateFrames(frames.slice(i + 1)) };
}

/**
 * A deposit to `user`: its balance event is the user's newest, so once the socket has it,
 * everything before it has come too. Resolves with a test for the frames holding it.
 */
async function sentinel(user: Trader): Promise<(frames: ServerFrame[]) => boolean> {
  const { balance } = await file.daemon.admin.deposit(user.id, 1);
  return (frames) => frames.some((f) => f.type === 'balance' && f.balance === balance);
}

async function setup(tag: string) {
  const { daemon } = file;
  const seller = await makeTrader(daemon.url, daemon.admin, `${tag}-seller`, 0);
  const ann = await makeTrader(daemon.url, daemon.admin, `${tag}-ann`, 1_000_000);
  const bob = await makeTrader(daemon.url, daemon.admin, `${tag}-bob`, 1_000_000);
  const [lot] = await makeAuctions(seller, 1);
  return { seller, ann, bob, lot: lot! };
}

describe('private events on a socket', () => {
  it('a user socket starts where its welcome says; an anonymous one has no inbox', async () => {
    const { ann, bob, lot } = await setup('w');
    await ann.client.bid(lot.id, 100);
    await bob.client.bid(lot.id, 110);
    const socket = await openWatcher(file.daemon.url, { token: ann.token });
    expect(socket.frames[0]).toMatchObject({ type: 'welcome', userId: ann.id, inbox: 3 });
    await ann.client.bid(lot.id, 120);
    await socket.until(await sentinel(ann), 10_000, 'the sentinel');
    expect(privateFrames(socket.frames).map((f) => `${f.seq}:${f.type}`)).toEqual(['4:balance', '5:balance']);
    await socket.close();

    const anon = await openWatcher(file.daemon.url);
    expect(anon.frames[0]).toMatchObject({ type: 'welcome', userId: null, inbox: null });
    anon.send({ op: 'inbox', after: 0 });
    await anon.until((f) => f.some((x) => x.type === 'error'), 10_000, 'the refusal');
    expect(anon.frames.at(-1)).toMatchObject({ type: 'error', code: 'UNAUTHORIZED', op: 'inbox' });
    await anon.close();
  });

  it('an inbox frame gets exactly the events after its position, kept then live, once each and in order', async () => {
    const { ann, bob, lot } = await setup('r');
    // While ann has no socket: she bids, is outbid twice, gets a deposit.
    await ann.client.bid(lot.id, 100);
    await bob.client.bid(lot.id, 150);
    await ann.client.bid(lot.id, 200);
    await bob.client.bid(lot.id, 250);
    await file.daemon.admin.deposit(ann.id, 1);
    const missed = await ann.client.inbox(2);
    expect(missed.events.map((e) => `${e.seq}:${e.type}`)).toEqual(['3:balance', '4:balance', '5:outbid', '6:balance', '7:balance']);

    const socket = await openWatcher(file.daemon.url, { token: ann.token });
    socket.send({ op: 'inbox', after: 2 });
    await socket.until((f) => f.some((x) => x.type === 'inbox'), 10_000, 'the answer');
    // Live ones after: ann bids again and is outbid, then the sentinel.
    await ann.client.bid(lot.id, 300);
    await bob.client.bid(lot.id, 350);
    await socket.until(await sentinel(ann), 10_000, 'the sentinel');

    const { ack, events } = afterLastAck(socket.frames);
    expect(ack).toEqual({ type: 'inbox', after: 2, truncated: false });
    expect(events.map((e) => e.seq)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(events.slice(0, 5)).toEqual(missed.events);
    expect(events.slice(5)).toEqual((await ann.client.inbox(7)).events);
    expect(events.map((e) => e.type)).toEqual(['balance', 'balance', 'outbid', 'balance', 'balance', 'balance', 'outbid', 'balance', 'balance']);
    await socket.close();
  });

  it('a second inbox frame restarts the stream: after its answer, the events after its position, once', async () => {
    const { ann, bob, lot } = await setup('t');
    await ann.client.bid(lot.id, 100);
    await bob.client.bid(lot.id, 150);
    const socket = await openWatcher(file.daemon.url, { token: ann.token });
    socket.send({ op: 'inbox', after: 3 });
    socket.send({ op: 'inbox', after: 0 });
    socket.send({ op: 'inbox' });
    socket.send({ op: 'inbox', after: 1 });
    await socket.until((f) => f.filter((x) => x.type === 'inbox').length === 4, 10_000, 'four answers');
    await socket.until(await sentinel(ann), 10_000, 'the sentinel');
    const { ack, events } = afterLastAck(socket.frames);
    expect(ack).toEqual({ type: 'inbox', after: 1, truncated: false });
    expect(events.map((e) => `${e.seq}:${e.type}`)).toEqual(['2:outbid', '3:balance', '4:balance']);
    // Without a position: from the newest.
    expect(socket.frames.filter((f) => f.type === 'inbox')).toContainEqual({ type: 'inbox', after: 3, truncated: false });
    await socket.close();
  });

  it('says truncated when events after the position are no longer kept, and starts at the oldest kept', async () => {
    const { ann } = await setup('p');
    for (let i = 1; i <= 6; i++) await file.daemon.admin.deposit(ann.id, i);
    await pruneInbox(file.daemon.context.sql, { days: 30, events: 3 });
    const socket = await openWatcher(file.daemon.url, { token: ann.token });
    socket.send({ op: 'inbox', after: 1 });
    await socket.until((f) => privateFrames(f).length === 3, 10_000, 'the kept events');
    const { ack, events } = afterLastAck(socket.frames);
    expect(ack).toEqual({ type: 'inbox', after: 3, truncated: true });
    expect(events.map((e) => e.seq)).toEqual([4, 5, 6]);

    // A position past the newest (another database's) starts over from the oldest kept, truncated too.
    socket.send({ op: 'inbox', after: 50 });
    await socket.until((f) => f.filter((x) => x.type === 'inbox').length === 2 && privateFrames(f).length === 6, 10_000, 'the second answer');
    expect(afterLastAck(socket.frames)).toMatchObject({ ack: { type: 'inbox', after: 3, truncated: true }, events: [{ seq: 4 }, { seq: 5 }, { seq: 6 }] });
    await socket.close();
  });

  it('frames a client sends before its welcome are answered after it', async () => {
    const { ann } = await setup('h');
    // openWatcher waits for the welcome; this client sends at once on open.
    const ws = new WebSocket(`${file.daemon.url.replace('http', 'ws')}/v1/ws`, { headers: { authorization: `Bearer ${ann.token}` } });
    const frames: ServerFrame[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d)) as ServerFrame));
    await new Promise<void>((r) => ws.once('open', () => r()));
    ws.send(JSON.stringify({ op: 'ping' }));
    ws.send(JSON.stringify({ op: 'inbox', after: 0 }));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer: ${JSON.stringify(frames)}`)), 10_000);
      ws.on('message', () => frames.some((f) => f.type === 'inbox') && (clearTimeout(timer), resolve()));
    });
    expect(frames.map((f) => f.type).slice(0, 2)).toEqual(['welcome', 'pong']);
    expect(frames.find((f) => f.type === 'inbox')).toEqual({ type: 'inbox', after: 0, truncated: false });
    ws.close();
  });
});

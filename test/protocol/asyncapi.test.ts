// docs/asyncapi.json: the WebSocket's frames as JSON Schema, made from the zod
// schemas; its references resolve, its examples fit, and every frame a real
// daemon sends in a session that makes each kind of frame fits its schema.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frameExamples } from '../../src/protocol/api-examples.js';
import { asyncApiDocument, clientOps } from '../../src/protocol/asyncapi.js';
import { framesOfMessage, parseClientFrame, type ReplyFrame, type ServerMessage } from '../../src/protocol/frames.js';
import { batchMessage, serverFrames } from '../../src/protocol/server-frames.js';
import { VERSION } from '../../src/version.js';
import { useDaemon } from '../helpers/fixture.js';
import { ENDS_SOON, seedAuction, seedUser } from '../helpers/seed.js';
import { openWatcher } from '../helpers/watcher.js';

const t = useDaemon();
const doc = asyncApiDocument(VERSION) as any;

/** The value a local `$ref` (`#/a/b`) points at in the document. */
function resolveRef(refPath: string): unknown {
  expect(refPath.startsWith('#/')).toBe(true);
  return refPath
    .slice(2)
    .split('/')
    .reduce<any>((node, key) => node?.[key], doc);
}

describe('the AsyncAPI document', () => {
  it('is the one in docs/asyncapi.json (npm run openapi)', () => {
    const file = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../docs/asyncapi.json'), 'utf8'));
    expect(file).toEqual(doc);
    expect(doc.asyncapi).toBe('3.0.0');
  });

  it('has a message for each client op and each daemon frame (and the batch), every one used and every reference resolving', () => {
    const messages = Object.keys(doc.channels.socket.messages).sort();
    expect(messages).toEqual([...Object.keys(clientOps), ...Object.keys(serverFrames), 'batch'].sort());
    const used = Object.values(doc.operations as Record<string, any>).flatMap((op) => {
      expect(resolveRef(op.channel.$ref)).toBe(doc.channels.socket);
      return op.messages.map((m: { $ref: string }) => {
        expect(resolveRef(m.$ref)).toBeDefined();
        return m.$ref.split('/').pop();
      });
    });
    expect(used.sort()).toEqual(messages);
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g)!;
    for (const r of refs) expect(resolveRef(JSON.parse(`{${r}}`).$ref), r).toBeDefined();
  });

  it('has an example of each frame that fits its schema', () => {
    for (const [key, message] of Object.entries(doc.channels.socket.messages as Record<string, any>)) {
      const example = message.examples[0].payload;
      expect(example).toEqual(frameExamples[key as keyof typeof frameExamples]);
      if (key in serverFrames) expect(serverFrames[key as keyof typeof serverFrames].parse(example), key).toEqual(example);
      else if (key === 'batch') expect(batchMessage.parse(example)).toEqual(example);
      else expect(parseClientFrame(JSON.stringify(example))).toEqual({ ...example, op: clientOps[key as keyof typeof clientOps] });
    }
  });
});

describe('frames a real daemon sends', () => {
  it('each fit the schema of their type, for every type', async () => {
    const seller = await seedUser(t.daemon);
    const [me, rival] = [await seedUser(t.daemon, 10_000), await seedUser(t.daemon, 10_000)];
    // Every bid lands in the soft-close window, so it is followed by `extended`.
    const contested = await seedAuction(seller, { durationSec: 600, softCloseSec: 3600 });
    const forSale = await seedAuction(seller, { buyNowPrice: 300 });
    const toCancel = await seedAuction(seller);
    const proxied = await seedAuction(seller);
    const ending = await seedAuction(seller, { durationSec: ENDS_SOON });
    // My own auctions, for my private sale and unsold events.
    const mineSold = await seedAuction(me, { buyNowPrice: 300 });
    const mineUnsold = await seedAuction(me, { durationSec: ENDS_SOON });
    const w = await openWatcher(t.daemon.url, { token: me.token, batch: true });
    const ids = [contested.id, forSale.id, toCancel.id, ending.id, proxied.id];
    w.send({ op: 'subscribe', auctions: ids, presence: true });
    await w.until((f) => f.filter((x) => x.type === 'snapshot').length === 5, 10_000, 'snapshots');
    await w.until((f) => f.some((x) => x.type === 'presence'), 10_000, 'a presence frame');
    // Before anything happens to me: "from now" loses nothing.
    w.send({ op: 'inbox' });
    await w.until((f) => f.some((x) => x.type === 'inbox'), 10_000, 'the inbox answer');

    // My bid over the socket: a reply.
    w.send({ op: 'bid', ref: 'mine', auction: contested.id, amount: 100 });
    await w.until((f) => f.some((x) => x.type === 'reply' && (x as ReplyFrame).ref === 'mine'), 10_000, 'the reply');
    await rival.client.bid(contested.id, 200); // outbids me: outbid and balance for me
    await me.client.bid(ending.id, 100); // I win it at its close: won
    await me.client.bid(forSale.id, 100);
    await rival.client.buy(forSale.id); // bought from under me: lost
    await rival.client.buy(mineSold.id); // my auction sold: sale
    await me.client.bidMax(proxied.id, 150);
    await rival.client.bid(proxied.id, 150); // my maximum answers at 150 and is used up: maxRaised and maxExhausted for me
    await seller.client.cancel(toCancel.id);
    w.send({ op: 'ping' });
    w.send({ op: 'subscribe', auctions: [9_999_999] }); // an error frame
    await w.until((f) => f.some((x) => x.type === 'closed'), 30_000, 'the short auction to close');
    // My auction that ended without a bid, and the loss the closer tells after the buy.
    await w.until((f) => ['unsold', 'lost', 'won', 'sale'].every((type) => f.some((x) => x.type === type)), 30_000, 'won, lost, sale and unsold');
    void mineUnsold;
    w.send({ op: 'unsubscribe', auctions: ids });
    await w.until((f) => f.some((x) => x.type === 'unsubscribed'), 10_000, 'unsubscribed');
    await w.close();

    for (const frame of w.frames) {
      const schema = serverFrames[frame.type];
      expect(schema, frame.type).toBeDefined();
      expect(schema.parse(frame), JSON.stringify(frame)).toEqual(frame);
    }
    expect([...new Set(w.frames.map((f) => f.type))].sort()).toEqual(Object.keys(serverFrames).sort());
    // A bid and the `extended` event its transaction made leave in one turn: a batch.
    const batches = w.messages.filter((m): m is Extract<ServerMessage, { type: 'batch' }> => m.type === 'batch');
    expect(batches.length).toBeGreaterThan(0);
    for (const b of batches) expect(batchMessage.parse(b)).toEqual(b);
    expect(w.messages.flatMap(framesOfMessage)).toEqual(w.frames);
  });
});

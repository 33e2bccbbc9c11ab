// A socket that stops reading: the daemon queues at most its send buffer limit
// for it, then closes it (4008), and the other watchers get every event.
import { describe, expect, it } from 'vitest';
import { useDaemon } from '../../helpers/fixture.js';
import { makeAuctions, makeTrader, outbox } from '../../helpers/market.js';
import { openRawSocket } from '../../helpers/raw-socket.js';
import { framesOf, openWatcher } from '../../helpers/watcher.js';
import { waitFor } from '../../helpers/poll.js';
import { RULES_VERSION } from '../../../src/daemon/rules/sql/index.js';

const LIMIT = 64 * 1024;
const file = useDaemon({ sockets: { sendBufferBytes: LIMIT } });

describe('a slow consumer', () => {
  it('is closed once its send buffer passes the limit, without the daemon queueing more, and others are unaffected', async () => {
    const seller = await makeTrader(file.daemon.url, file.daemon.admin, 'seller', 0);
    const bidders = await Promise.all([makeTrader(file.daemon.url, file.daemon.admin, 'a'), makeTrader(file.daemon.url, file.daemon.admin, 'b')]);
    const history = await makeAuctions(seller, 20);
    const [live] = await makeAuctions(seller, 1);
    // History to replay: 30 committed bids on each of 20 auctions, written by the rule itself.
    for (const h of history) {
      const bids = Array.from({ length: 30 }, (_, i) => ({ bidderId: bidders[i % 2]!.id, amount: 100 + 10 * i }));
      await file.daemon.context.sql`SELECT nb_place_bids(${h.id}, ${file.daemon.context.sql.json(bids)}, ${RULES_VERSION})`;
    }

    const good = await openWatcher(file.daemon.url);
    good.send({ op: 'subscribe', auctions: [live!.id] });
    await good.until((f) => framesOf(f, live!.id).length === 1, 30_000, 'snapshot');

    const slow = await openRawSocket(file.daemon.url);
    slow.socket.pause(); // reads nothing from here on
    const ids = history.map((h) => h.id);
    slow.sendText(JSON.stringify({ op: 'subscribe', auctions: [live!.id, ...ids] }));
    expect(file.daemon.sockets.hub.size).toBe(2);

    let peakHeld = 0;
    const sample = setInterval(() => {
      const held = file.daemon.sockets.hub.sockets().reduce((n, c) => n + c.buffered, 0);
      peakHeld = Math.max(peakHeld, held);
    }, 2);
    const closes = () => file.daemon.context.metrics.sockets.slowConsumerCloses.get();
    let amount = 100;
    try {
      // Ask for replays again and again while bids land, until the daemon gives up on the socket.
      for (let round = 0; round < 2000 && (await closes()).values[0]!.value === 0; round++) {
        slow.sendText(JSON.stringify({ op: 'subscribe', auctions: ids, after: Object.fromEntries(ids.map((id) => [id, 0])) }));
        if (round % 5 === 0) {
          await bidders[round % 2]!.client.bid(live!.id, amount);
          amount += 10;
        } else await new Promise((r) => setTimeout(r, 5));
      }
      expect((await closes()).values[0]!.value).toBe(1);
      for (let i = 0; i < 10; i++, amount += 10) await bidders[i % 2]!.client.bid(live!.id, amount);
    } finally {
      clearInterval(sample);
    }

    // The daemon never held more than the limit for its sockets, and the slow one is gone.
    expect(peakHeld).toBeLessThanOrEqual(LIMIT);
    const peak = await file.daemon.context.metrics.sockets.sendBufferPeakBytes.get();
    expect(peak.values[0]!.value).toBeLessThanOrEqual(LIMIT);
    expect(peak.values[0]!.value).toBeGreaterThan(0);
    await waitFor(() => file.daemon.sockets.hub.size === 1, 10_000, 'the slow socket to be dropped');
    // Reading again, the slow client finds its connection ended.
    slow.socket.resume();
    await slow.ended;
    expect(slow.bytesRead()).toBeGreaterThan(LIMIT);

    const truth = await outbox(file.db.url, live!.id);
    expect(truth.length).toBeGreaterThan(10);
    await good.until((f) => framesOf(f, live!.id).length === truth.length + 1, 30_000, 'every live event');
    expect(framesOf(good.frames, live!.id).slice(1)).toEqual(truth);
    await good.close();
  });
});

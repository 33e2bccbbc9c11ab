// The sockets' coalesced writes are assembled in one shared buffer
// (write-scratch.ts). A write the kernel cannot take whole stays queued in its
// socket's stream, still pointing into that buffer; these tests hold that such
// a write keeps its bytes while the other sockets' writes go on.
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { AuctionEvent } from '../../../src/protocol/events.js';
import { isAuctionFrame } from '../../../src/protocol/frames.js';
import { WriteScratch } from '../../../src/daemon/hub/write-scratch.js';
import { RULES_VERSION } from '../../../src/daemon/rules/sql/index.js';
import { useDaemon } from '../../helpers/fixture.js';
import { makeAuctions, makeTrader, outbox } from '../../helpers/market.js';
import { openWatcher, type Watcher } from '../../helpers/watcher.js';

const file = useDaemon({ sockets: { sendBufferBytes: 256 * 1024 * 1024 } });

/** The TCP socket under a `ws` client or a daemon connection. */
const tcpOf = (ws: unknown): Socket => (ws as { _socket: Socket })._socket;

describe('WriteScratch', () => {
  it('hands out one buffer until a write keeps it, and a buffer of its own to a write too big for it', () => {
    const scratch = new WriteScratch();
    const shared = scratch.take(100);
    expect(shared.length).toBe(100);
    expect(scratch.take(2000).buffer).toBe(shared.buffer);
    scratch.keep(Buffer.alloc(10)); // not the shared buffer: nothing changes
    expect(scratch.take(10).buffer).toBe(shared.buffer);
    scratch.keep(shared);
    const next = scratch.take(100);
    expect(next.buffer).not.toBe(shared.buffer);
    const big = scratch.take(1 << 20);
    expect(big.length).toBe(1 << 20);
    expect(big.buffer).not.toBe(next.buffer);
    expect(scratch.take(100).buffer).toBe(next.buffer);
  });
});

describe('a socket that stops reading while others are written', () => {
  for (const batch of [false, true]) {
    it(`gets every queued write intact once it reads again (${batch ? 'batch frames' : 'one frame per message'})`, async () => {
      const { daemon } = file;
      const seller = await makeTrader(daemon.url, daemon.admin, `scratch-seller-${batch}`, 0);
      const bidders = await Promise.all([makeTrader(daemon.url, daemon.admin, `scratch-a-${batch}`), makeTrader(daemon.url, daemon.admin, `scratch-b-${batch}`)]);
      const lots = await makeAuctions(seller, 10);
      for (const lot of lots) {
        const bids = Array.from({ length: 30 }, (_, i) => ({ bidderId: bidders[i % 2]!.id, amount: 100 + 10 * i }));
        await daemon.context.sql`SELECT nb_place_bids(${lot.id}, ${daemon.context.sql.json(bids)}, ${RULES_VERSION})`;
      }
      // Every round replays 150 events to each socket, in writes of several frames that fit the
      // shared buffer; the busy socket's are other auctions', so they are other bytes.
      const replay = (ids: number[]) => ({ op: 'subscribe', auctions: ids, after: Object.fromEntries(ids.map((id) => [id, 0])) });
      const ids = lots.map((l) => l.id);
      const slowIds = ids.slice(0, 5);
      const busyIds = ids.slice(5);

      const slow = await openWatcher(daemon.url, { batch });
      const busy = await openWatcher(daemon.url, { batch });
      const port = tcpOf(slow.ws).localPort;
      const conn = daemon.sockets.hub.sockets().find((c) => tcpOf(c.ws).remotePort === port)!;
      expect(conn).toBeDefined();
      tcpOf(slow.ws).pause();
      const events = (w: Watcher) => w.frames.filter((f) => isAuctionFrame(f) && f.type !== 'snapshot');
      try {
        // Until the kernel's buffers are full and the slow socket's writes queue in its stream,
        // then ten rounds more in which the busy socket's writes use the shared buffer.
        let queuedAt = -1;
        let round = 0;
        for (; round < 2000 && (queuedAt < 0 || round < queuedAt + 10); round++) {
          slow.send(replay(slowIds));
          busy.send(replay(busyIds));
          // A join is served after its subscription's answer; the next round's subscription would drop it.
          await busy.until(() => events(busy).length === (round + 1) * 150, 30_000, `round ${round + 1}'s events`);
          if (queuedAt < 0 && tcpOf(conn.ws).writableLength > 0) queuedAt = round;
        }
        expect(queuedAt).toBeGreaterThanOrEqual(0);

        slow.send({ op: 'ping' });
        tcpOf(slow.ws).resume();
        await slow.until((f) => f.some((x) => x.type === 'pong'), 60_000, "the slow socket's pong");
        const got = events(slow);
        expect(got.length).toBe(round * 150);
        expect(new Set(got.map((f) => (f as AuctionEvent).auction))).toEqual(new Set(slowIds));
        const truth = new Map<string, AuctionEvent>();
        for (const id of slowIds) for (const e of await outbox(file.db.url, id)) truth.set(`${id}/${e.version}`, e);
        for (const f of got) {
          const e = f as AuctionEvent;
          expect(e).toEqual(truth.get(`${e.auction}/${e.version}`));
        }
      } finally {
        await Promise.all([slow.close(), busy.close()]);
      }
    });
  }
});

// Batch frames (issue 17): a socket that asks with ?batch=1 gets the frames of
// one event-loop turn in one `batch` frame; a socket that does not (every
// client older than batches) still gets one frame per message. Both see the
// same events, in the same order, as the outbox holds them.
import { describe, expect, it } from 'vitest';
import type { AuctionEvent } from '../../../src/protocol/events.js';
import { useDaemon } from '../../helpers/fixture.js';
import { makeAuctions, makeTrader, outbox } from '../../helpers/market.js';
import { holdAuctionRow } from '../../helpers/row-lock.js';
import { framesOf, openWatcher } from '../../helpers/watcher.js';

const file = useDaemon();

describe('batch frames', () => {
  it('go only to sockets that asked; old clients get one frame per message and the same events', async () => {
    const { daemon } = file;
    const seller = await makeTrader(daemon.url, daemon.admin, 'batch-seller', 0);
    const bidder = await makeTrader(daemon.url, daemon.admin, 'batch-bidder');
    const [lot] = await makeAuctions(seller, 1);
    const id = lot!.id;
    const old = await openWatcher(daemon.url);
    const batched = await openWatcher(daemon.url, { batch: true });
    const bidding = await openWatcher(daemon.url, { token: bidder.token });
    try {
      expect(old.frames[0]).toMatchObject({ type: 'welcome', batch: false, features: ['batch', 'bid'] });
      expect(batched.frames[0]).toMatchObject({ type: 'welcome', batch: true });
      for (const w of [old, batched]) {
        w.send({ op: 'subscribe', auctions: [id] });
        await w.until((f) => f.some((x) => x.type === 'snapshot'), 10_000, 'snapshot');
      }
      // Six rising bids in one order (one socket's frames are read in order)
      // while the auction's row is held: the first waits on the lock, the other
      // five queue behind it and commit in one transaction, so their events
      // reach the sockets in one turn.
      const row = await holdAuctionRow(file.db.url, id);
      for (let i = 0; i < 6; i++) bidding.send({ op: 'bid', ref: i, auction: id, amount: 100 + 10 * i });
      try {
        await row.waitedOn();
      } finally {
        await row.release();
      }
      await bidding.until((f) => f.filter((x) => x.type === 'reply').length === 6, 30_000, 'six replies');
      expect(bidding.frames.filter((f) => f.type === 'reply').map((f) => (f as { status: number }).status)).toEqual([201, 201, 201, 201, 201, 201]);

      const expected = await outbox(file.db.url, id);
      expect(expected.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6]);
      const events = (w: typeof old) => framesOf(w.frames, id).filter((f) => f.type !== 'snapshot') as AuctionEvent[];
      for (const w of [old, batched]) await w.until(() => events(w).length === 6, 10_000, 'six events');
      expect(events(old)).toEqual(expected);
      expect(events(batched)).toEqual(expected);
      // The old client never saw a batch; the new one got the five as one.
      expect(old.messages.some((m) => m.type === 'batch')).toBe(false);
      expect(old.messages.length).toBe(old.frames.length);
      const batches = batched.messages.filter((m) => m.type === 'batch');
      expect(batches.length).toBeGreaterThan(0);
      expect(Math.max(...batches.map((b) => b.frames.length))).toBeGreaterThanOrEqual(5);
      for (const b of batches) expect(b.frames.length).toBeGreaterThan(1);
    } finally {
      await Promise.all([old.close(), batched.close(), bidding.close()]);
    }
  });
});

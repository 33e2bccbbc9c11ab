// The flush window: once the sockets were written, the next events wait for
// the window to pass, while a frame someone waits for (a reply, a pong, an
// acknowledgement) is written in the turn it is made and takes the waiting
// events with it. The window here is a minute, so an event that arrives at all
// before such a frame released it proves it was not held; no test waits a
// fixed time.
import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../../src/protocol/frames.js';
import { useDaemon } from '../../helpers/fixture.js';
import { makeAuctions, makeTrader } from '../../helpers/market.js';
import { waitFor } from '../../helpers/poll.js';
import { openWatcher, type Watcher } from '../../helpers/watcher.js';

const file = useDaemon({ socketFlushMs: 60_000 });

/** The index of the first message holding a frame that passes `test`, or -1. */
const messageWith = (messages: ServerMessage[], test: (f: { type: string; [k: string]: unknown }) => boolean) =>
  messages.findIndex((m) => (m.type === 'batch' ? m.frames : [m]).some((f) => test(f as never)));

/** Pings until a frame passing `test` has come: each pong takes along whatever was held. */
async function pingUntil(w: Watcher, test: (f: { type: string }) => boolean, what: string): Promise<void> {
  await waitFor(async () => {
    if (w.frames.some(test)) return true;
    const pongs = w.frames.filter((f) => f.type === 'pong').length;
    w.send({ op: 'ping' });
    await w.until((f) => f.filter((x) => x.type === 'pong').length > pongs, 10_000, 'pong');
    return w.frames.some(test);
  }, 30_000, what);
}

describe('the flush window', () => {
  it('holds events until a reply or a pong takes them along, for batch and single-frame clients alike', async () => {
    const { daemon } = file;
    const seller = await makeTrader(daemon.url, daemon.admin, 'flush-seller', 0);
    const [ann, bob] = [await makeTrader(daemon.url, daemon.admin, 'flush-ann'), await makeTrader(daemon.url, daemon.admin, 'flush-bob')];
    const [watched, other] = await makeAuctions(seller, 2);
    const batched = await openWatcher(daemon.url, { token: ann.token, batch: true });
    const single = await openWatcher(daemon.url, { token: bob.token });
    try {
      for (const w of [batched, single]) {
        w.send({ op: 'subscribe', auctions: [watched!.id] });
        // The acknowledgement is never held; the snapshot comes within the window after it, so a pong brings it.
        await pingUntil(w, (f) => f.type === 'snapshot', 'the snapshot');
      }
      // A bid on the watched auction: the window is not over, so its event waits.
      const { bid } = await daemon.client(ann.token).bid(watched!.id, 100);

      // A bid on the socket, on an auction nobody watches: its reply goes at once and takes the held event along.
      batched.send({ op: 'bid', ref: 'r1', auction: other!.id, amount: 100 });
      await batched.until((f) => f.some((x) => x.type === 'reply'), 30_000, 'the reply');
      const replyAt = messageWith(batched.messages, (f) => f.type === 'reply');
      const eventAt = messageWith(batched.messages, (f) => f.type === 'bid' && f.bidId === bid!.id);
      expect(eventAt).toBe(replyAt);
      expect(batched.messages[replyAt]).toMatchObject({ type: 'batch' });

      // On the single-frame socket a pong releases it the same way (which write carried it cannot be seen there).
      const pongs = (f: typeof single.frames) => f.filter((x) => x.type === 'pong').length;
      const before = pongs(single.frames);
      single.send({ op: 'ping' });
      await single.until((f) => pongs(f) > before, 30_000, 'pong');
      const types = single.frames.map((f) => f.type);
      expect(types.indexOf('bid')).toBeGreaterThan(-1);
      expect(types.indexOf('bid')).toBeLessThan(types.lastIndexOf('pong'));
      expect(single.messages.some((m) => m.type === 'batch')).toBe(false);
    } finally {
      await Promise.all([batched.close(), single.close()]);
    }
  });
});

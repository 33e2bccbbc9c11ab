// The frames a socket gets in one event-loop turn leave in one write: a group
// commit of bids on three auctions reaches each watcher of all three as three
// frames, in one write per socket, in order, each once.
import { describe, expect, it } from 'vitest';
import { BidQueue } from '../../../src/daemon/rules/bid-queue.js';
import { useDaemon } from '../../helpers/fixture.js';
import { makeAuctions, makeTrader, outbox } from '../../helpers/market.js';
import { framesOf, openWatcher } from '../../helpers/watcher.js';

const file = useDaemon();

async function counter(name: string): Promise<number> {
  const text = await (await fetch(`${file.daemon.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

describe('coalesced socket writes', () => {
  it('sends the events one turn publishes to a socket in one write', async () => {
    const { daemon } = file;
    const seller = await makeTrader(daemon.url, daemon.admin, 'cseller', 0);
    const [ann, bob] = await Promise.all([makeTrader(daemon.url, daemon.admin, 'cann'), makeTrader(daemon.url, daemon.admin, 'cbob')]);
    const [a1, a2, a3, other] = await makeAuctions(seller, 4);
    const watched = [a1!.id, a2!.id, a3!.id];
    const watchers = await Promise.all([openWatcher(daemon.url), openWatcher(daemon.url)]);
    for (const w of watchers) w.send({ op: 'subscribe', auctions: watched });
    for (const w of watchers) await w.until((f) => watched.every((id) => framesOf(f, id).length === 1), 10_000, 'snapshots');

    // One slot: the first bid (on an auction nobody watches) takes it, the next three wait and share one transaction.
    const queue = new BidQueue(daemon.context.sql, daemon.context.publisher, { slots: 1 });
    const writesBefore = await counter('nb_ws_socket_writes_total');
    const blocker = queue.submit(other!.id, { bidderId: bob.id, amount: 100 });
    const group = watched.map((id) => queue.submit(id, { bidderId: ann.id, amount: 100 }));
    expect((await blocker).status).toBe(201);
    expect((await Promise.all(group)).map((o) => o.status)).toEqual([201, 201, 201]);

    for (const w of watchers) await w.until((f) => watched.every((id) => framesOf(f, id).length === 2), 10_000, 'the three bids');
    // Two sockets, three frames each: two writes, not six.
    expect((await counter('nb_ws_socket_writes_total')) - writesBefore).toBe(2);
    for (const w of watchers) {
      for (const id of watched) expect(framesOf(w.frames, id).slice(1)).toEqual(await outbox(file.db.url, id));
      expect(framesOf(w.frames, other!.id)).toEqual([]);
      await w.close();
    }
  });
});

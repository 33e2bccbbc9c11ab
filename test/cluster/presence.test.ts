// "N watching" in the deployment: two watchers of one auction on different
// daemons both see watching: 2; when one leaves, or its daemon is killed with
// kill -9, the one left sees 1 within 5 s, and so do the auction's answers
// through HAProxy.
import { afterEach, describe, expect, it } from 'vitest';
import { SocketClient, type AuctionMessage } from '../../src/client/socket-client.js';
import { useCluster } from '../helpers/cluster.js';
import { waitFor } from '../helpers/poll.js';
import { seedAuction, seedUser } from '../helpers/seed.js';

const c = useCluster();
const clients: SocketClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((x) => x.close()));
});

/** A watcher of one auction on one daemon, asking for presence: the last count it was told. */
async function watcher(url: string, auction: number) {
  const messages: AuctionMessage[] = [];
  const client = new SocketClient({ url, presence: true });
  clients.push(client);
  await client.subscribe([auction], (m) => messages.push(m));
  return { client, watching: () => messages.findLast((m) => m.type === 'presence')?.watching };
}

/** Waits until the watcher and the answer through HAProxy both say `n`, at most `ms`. */
async function bothSay(w: { watching(): number | undefined }, auction: number, n: number, ms: number, what: string) {
  await waitFor(() => w.watching() === n, ms, `${what}: the watcher`);
  await waitFor(async () => (await c.admin.auction(auction)).watching === n, ms, `${what}: the answer through HAProxy`);
}

describe('N watching over three daemons', () => {
  it('is 2 for two watchers on different daemons, and 1 within 5 s after one leaves', async () => {
    const lot = await seedAuction(await seedUser(c));
    const [d1, d2] = c.daemons;
    const a = await watcher(d1!.url, lot.id);
    const b = await watcher(d2!.url, lot.id);
    await waitFor(() => a.watching() === 2 && b.watching() === 2, 10_000, 'watching: 2 on both');
    await bothSay(a, lot.id, 2, 10_000, 'watching: 2');
    await b.client.close();
    const left = Date.now();
    await bothSay(a, lot.id, 1, 5_000, 'watching: 1 within 5 s of the leave');
    expect(Date.now() - left).toBeLessThan(5_000);
  });

  it('is 1 within 5 s after the other watcher’s daemon is killed with kill -9', async () => {
    const lot = await seedAuction(await seedUser(c));
    const [d1, , d3] = c.daemons;
    const a = await watcher(d1!.url, lot.id);
    const b = await watcher(d3!.url, lot.id);
    await waitFor(() => a.watching() === 2 && b.watching() === 2, 10_000, 'watching: 2 on both');
    await d3!.kill('SIGKILL');
    const killed = Date.now();
    // Its client would count again once d3 is back: only the kill is measured here.
    await b.client.close();
    await bothSay(a, lot.id, 1, 5_000, 'watching: 1 within 5 s of the kill');
    expect(Date.now() - killed).toBeLessThan(5_000);
    await d3!.start();
  });
});

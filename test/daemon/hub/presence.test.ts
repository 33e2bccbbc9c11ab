// "N watching" across daemons: two in-process daemons on one database, watchers
// on each. Counts are of distinct users (a user's several sockets count once)
// plus anonymous sockets, summed over daemons; they reach every watcher that
// asked for presence within seconds, and the auction's answers; a watcher that
// leaves stops counting; presence frames name nobody.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SocketClient, type AuctionMessage } from '../../../src/client/socket-client.js';
import type { PresenceFrame } from '../../../src/protocol/frames.js';
import { startTestDaemon, type StartedTestDaemon } from '../../helpers/daemon.js';
import { useDaemon } from '../../helpers/fixture.js';
import { waitFor } from '../../helpers/poll.js';
import { seedAuction, seedUser } from '../../helpers/seed.js';

const t = useDaemon();
let other: StartedTestDaemon;
const clients: SocketClient[] = [];

beforeAll(async () => {
  other = await startTestDaemon(t.db.url, { adminToken: t.daemon.adminToken });
});
afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await other?.close();
  await other?.removeDir();
});

/** A watcher of one auction that asked for presence, and every message it was handed. */
async function watcher(url: string, auction: number, token?: string) {
  const messages: AuctionMessage[] = [];
  const client = new SocketClient({ url, token, presence: true });
  clients.push(client);
  await client.subscribe([auction], (m) => messages.push(m));
  await waitFor(() => messages.some((m) => m.type === 'snapshot'), 10_000, 'the snapshot');
  const presence = () => messages.filter((m): m is PresenceFrame => m.type === 'presence');
  return { client, messages, presence, watching: () => presence().at(-1)?.watching };
}

describe('presence', () => {
  it('counts distinct users and anonymous sockets over both daemons, and drops one that leaves', async () => {
    const seller = await seedUser(t.daemon);
    const lot = await seedAuction(seller);
    const ann = await seedUser(t.daemon);
    // Ann twice on one daemon (counted once), an anonymous watcher on the other: 2.
    const a1 = await watcher(t.daemon.url, lot.id, ann.token);
    const a2 = await watcher(t.daemon.url, lot.id, ann.token);
    const anon = await watcher(other.url, lot.id);
    for (const w of [a1, a2, anon]) await waitFor(() => w.watching() === 2, 10_000, 'watching: 2 on every watcher');
    // The auction's answers say so too, on either daemon.
    await waitFor(async () => (await other.client().auction(lot.id)).watching === 2, 10_000, 'watching: 2 in the answer');
    expect((await t.daemon.client().listAuctions({ status: 'open', limit: 200 })).auctions.find((a) => a.id === lot.id)?.watching).toBe(2);

    // A frame says how many, never who.
    for (const p of [...a1.presence(), ...anon.presence()]) expect(Object.keys(p).sort()).toEqual(['auction', 'type', 'watching']);
    // A presence frame has no version and takes none: the events' versions stay gapless.
    await seller.clientFor(t.daemon.url).cancel(lot.id);
    await waitFor(() => anon.messages.some((m) => m.type === 'cancelled'), 10_000, 'the cancel');
    expect(anon.messages.filter((m) => m.type === 'snapshot' || m.type === 'cancelled').map((m) => (m as { version: number }).version)).toEqual([0, 1]);

    // Ann leaves (both sockets): the anonymous watcher is alone.
    await a1.client.close();
    await a2.client.close();
    await waitFor(() => anon.watching() === 1, 5_000, 'watching: 1 within 5 s of the leave');
  });

  it('sends presence only to sockets that asked for it', async () => {
    const seller = await seedUser(t.daemon);
    const lot = await seedAuction(seller);
    const plain: AuctionMessage[] = [];
    const quiet = new SocketClient({ url: other.url });
    clients.push(quiet);
    await quiet.subscribe([lot.id], (m) => plain.push(m));
    // On the same daemon: the update that told `asking` went to every socket there that asked.
    const asking = await watcher(other.url, lot.id);
    await waitFor(() => asking.watching() === 2, 10_000, 'watching: 2');
    // A sentinel after that update: a cancel, which both watch.
    await seller.clientFor(t.daemon.url).cancel(lot.id);
    await waitFor(() => plain.some((m) => m.type === 'cancelled'), 10_000, 'the cancel');
    expect(plain.map((m) => m.type)).toEqual(['snapshot', 'cancelled']);
  });
});

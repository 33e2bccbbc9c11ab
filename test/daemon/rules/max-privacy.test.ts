// A working maximum is known only to its bidder (and the admin's audit), and
// an unmet reserve to nobody: searched for in every public frame, every frame
// another user's socket gets, every answer another user or anyone gets, and
// every line the daemon logs (at its most talkative level). The amounts are
// odd and unique so that a hit can only be a leak; the owner's own socket and
// answers are searched too, to show the search finds them where they belong.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/client/http-client.js';
import { isAuctionFrame, type ServerFrame } from '../../../src/protocol/frames.js';
import { MANUAL_CLOSER, useDaemon } from '../../helpers/fixture.js';
import { expectAuditClean, rejection, seedAuction, seedUser, type SeededUser } from '../../helpers/seed.js';
import { openWatcher, type Watcher } from '../../helpers/watcher.js';

const logLines: string[] = [];
const logger = pino(
  { level: 'trace' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  }),
);
const t = useDaemon({ ...MANUAL_CLOSER, logger });

/** Ann's first and raised maximum, and the reserve: never reached, never shown. */
const FIRST_MAX = 7907;
const ANN_MAX = 7919;
const RESERVE = 8501;
const secrets = [FIRST_MAX, ANN_MAX, RESERVE];

/** The secret amounts a text holds, as whole numbers (not inside a longer number). */
function found(text: string): number[] {
  return secrets.filter((s) => new RegExp(`(?<![\\d.])${s}(?![\\d])`).test(text));
}

let seller: SeededUser;
let ann: SeededUser;
let bob: SeededUser;
let cat: SeededUser;
const sockets = {} as Record<'anyone' | 'ann' | 'bob' | 'cat', Watcher>;
/** What anyone but Ann was answered, and what Ann was. */
const othersSaw: unknown[] = [];
const annSaw: unknown[] = [];

beforeAll(async () => {
  seller = await seedUser(t.daemon, 0);
  [ann, bob, cat] = await Promise.all([seedUser(t.daemon, 20_000), seedUser(t.daemon, 20_000), seedUser(t.daemon, 20_000)]);
  const lot = await seedAuction(seller, { startPrice: 100, minIncrement: 10, reservePrice: RESERVE, softCloseSec: 600 });
  othersSaw.push(lot);
  sockets.anyone = await openWatcher(t.daemon.url);
  sockets.ann = await openWatcher(t.daemon.url, { token: ann.token });
  sockets.bob = await openWatcher(t.daemon.url, { token: bob.token });
  sockets.cat = await openWatcher(t.daemon.url, { token: cat.token });
  for (const w of Object.values(sockets)) w.send({ op: 'subscribe', auctions: [lot.id] });
  for (const w of Object.values(sockets)) await w.until((f) => f.some((x) => x.type === 'snapshot'), 10_000, 'snapshot');

  annSaw.push(await ann.client.bidMax(lot.id, FIRST_MAX));
  othersSaw.push(await bob.client.bid(lot.id, 1000));
  annSaw.push(await ann.client.bidMax(lot.id, ANN_MAX));
  othersSaw.push(await bob.client.bid(lot.id, 2000));
  // Cat's maximum is used up by Ann's: it shows at its full amount, as it should.
  othersSaw.push(await cat.client.bidMax(lot.id, 3001));
  othersSaw.push(await rejection(bob.client.bid(lot.id, 3005)));
  othersSaw.push(await rejection(bob.client.bidMax(lot.id, 25_000)));
  othersSaw.push(await rejection(bob.client.buy(lot.id)));
  // Ann's own refusal names her maximum: to her alone.
  annSaw.push(await rejection(ann.client.bidMax(lot.id, 5000)));
  othersSaw.push(await bob.client.myBids(), await cat.client.myBids(), await bob.client.me(), await bob.client.inbox(), await cat.client.inbox());
  const anyone = new HttpClient({ url: t.daemon.url });
  othersSaw.push(await anyone.auction(lot.id), await anyone.listAuctions(), await anyone.listAuctions({ status: 'all' }));
  annSaw.push(await ann.client.myBids(), await ann.client.me(), await ann.client.inbox());

  // The sentinel: every socket has the last public event (seven bids, and the soft close's extensions).
  const last = (await anyone.auction(lot.id)).version;
  for (const w of Object.values(sockets)) {
    await w.until((f) => f.some((x) => isAuctionFrame(x) && x.version === last), 10_000, `version ${last}`);
  }
  // And the private frames have come: Ann's maximum answered three times, Bob and Cat were outbid.
  await sockets.ann.until((f) => f.filter((x) => x.type === 'maxRaised').length === 3, 10_000, 'maxRaised');
  await sockets.bob.until((f) => f.filter((x) => x.type === 'outbid').length === 2, 10_000, 'outbid');
  await sockets.cat.until((f) => f.some((x) => x.type === 'outbid'), 10_000, 'outbid');
});

afterAll(async () => {
  for (const w of Object.values(sockets)) await w.close();
  await expectAuditClean(t.daemon.admin);
});

const text = (xs: unknown[]) => xs.map((x) => JSON.stringify(x instanceof Error ? { ...x, message: x.message } : x)).join('\n');
const frames = (w: Watcher) => text(w.frames as ServerFrame[]);

describe('privacy of maxima and reserves', () => {
  it('keeps them out of every public frame', () => {
    expect(sockets.anyone.frames.filter((f) => f.type === 'bid').length).toBe(7);
    expect(found(frames(sockets.anyone))).toEqual([]);
  });

  it('keeps them out of other users’ sockets, private frames included', () => {
    expect(sockets.bob.frames.some((f) => f.type === 'outbid')).toBe(true);
    expect(sockets.cat.frames.some((f) => f.type === 'outbid')).toBe(true);
    expect(found(frames(sockets.bob))).toEqual([]);
    expect(found(frames(sockets.cat))).toEqual([]);
  });

  it('keeps them out of every answer to anyone else: bids, refusals, listings, my bids, inboxes', () => {
    expect(othersSaw.length).toBeGreaterThan(10);
    expect(found(text(othersSaw))).toEqual([]);
  });

  it('keeps them out of every log line', () => {
    expect(logLines.length).toBeGreaterThan(10);
    expect(found(logLines.join(''))).toEqual([]);
  });

  it('shows Ann her own maximum, in her answers and her private frames (so the search above can find it)', () => {
    expect(found(text(annSaw))).toContain(ANN_MAX);
    expect(found(frames(sockets.ann))).toContain(ANN_MAX);
    expect(found(text(annSaw))).not.toContain(RESERVE);
    expect(found(frames(sockets.ann))).not.toContain(RESERVE);
  });
});

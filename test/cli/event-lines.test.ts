import { describe, expect, it } from 'vitest';
import { EventLines } from '../../src/cli/event-lines.js';
import { NameCache } from '../../src/client/name-cache.js';
import { painter } from '../../src/cli/output.js';
import { truncate } from '../../src/format/text.js';
import { formatClock } from '../../src/format/duration.js';
import type { AuctionEvent, PrivateEvent } from '../../src/protocol/events.js';
import type { SnapshotFrame } from '../../src/protocol/frames.js';
import type { Auction } from '../../src/protocol/types.js';

const NOW = Date.parse('2026-11-25T15:00:00.000Z');
const at = (sec: number) => new Date(NOW + sec * 1000).toISOString();
/** Times of day are local, so the expected ones are made the same way. */
const clock = (sec: number) => formatClock(at(sec));

function snapshot(id: number, title: string, extra: Partial<Auction> = {}): SnapshotFrame {
  const state: Auction = {
    id,
    title,
    sellerId: 1,
    status: 'open',
    startPrice: 1000,
    minIncrement: 100,
    increments: [{ from: 0, step: 100 }],
    hasReserve: false,
    reserveMet: false,
    buyNowPrice: null,
    buyNowUntil: 'price',
    buyNowAvailable: false,
    softCloseSec: null,
    unsoldReason: null,
    currentPrice: null,
    leaderId: null,
    bidCount: 0,
    minNextBid: 1000,
    endsAt: at(600),
    createdAt: at(-60),
    version: 0,
    ...extra,
  };
  return { type: 'snapshot', auction: id, version: state.version, state };
}

const bid = (auction: number, version: number, price: number, leaderId: number, previousLeaderId: number | null, sec: number): AuctionEvent => ({
  type: 'bid',
  auction,
  version,
  at: at(sec),
  bidId: version,
  bidderId: leaderId,
  amount: price,
  automatic: false,
  price,
  leaderId,
  previousLeaderId,
  bidCount: version,
  endsAt: at(600),
  minNextBid: price + 100,
  reserveMet: true,
});

const plain = painter(false);

describe('EventLines', () => {
  it('writes one aligned line per event: time, auction, what, price, leader, detail', () => {
    const lines = new EventLines(plain, () => NOW);
    const messages: (SnapshotFrame | AuctionEvent)[] = [
      snapshot(7, 'Brass lamp', { softCloseSec: 30 }),
      snapshot(12, 'Oak chair', { currentPrice: 250, leaderId: 4, bidCount: 2, minNextBid: 350, version: 2 }),
      bid(7, 1, 1000, 4, null, 1),
      bid(7, 2, 1100, 5, 4, 2),
      { type: 'extended', auction: 7, version: 3, at: at(2), endsAt: at(632), bidId: 2 },
      { type: 'sold', auction: 12, version: 3, at: at(3), status: 'sold', buyerId: 6, price: 5000, leaderId: 6, previousLeaderId: 4, endsAt: at(600) },
      { type: 'closed', auction: 7, version: 4, at: at(4), status: 'closed', winnerId: 5, price: 1100, reason: null, endsAt: at(632) },
    ];
    for (const m of messages) if (m.type === 'snapshot') lines.remember(m);
    expect(messages.map((m) => lines.line(m))).toEqual([
      `${clock(0)}  #7   Brass lamp  watching       —  —       open, no bids, next bid 1,000, ends ${clock(600)}`,
      `${clock(0)}  #12  Oak chair   watching     250  user 4  open, 2 bids, next bid 350, ends ${clock(600)}`,
      `${clock(1)}  #7   Brass lamp  bid        1,000  user 4  1 bid, next bid 1,100`,
      `${clock(2)}  #7   Brass lamp  bid        1,100  user 5  2 bids, next bid 1,200, user 4 was outbid`,
      `${clock(2)}  #7   Brass lamp  extended   1,100  user 5  soft close: now ends ${clock(632)}`,
      `${clock(3)}  #12  Oak chair   sold       5,000  user 6  bought now by user 6`,
      `${clock(4)}  #7   Brass lamp  closed     1,100  user 5  won by user 5`,
    ]);
  });

  it('marks automatic bids, the bid that met the reserve, an outbid by a maximum and an end below the reserve', () => {
    const lines = new EventLines(plain, () => NOW);
    lines.me = 5;
    const snap = snapshot(8, 'Clock', { hasReserve: true, reserveMet: false });
    lines.remember(snap);
    expect(lines.line(snap)).toBe(`${clock(0)}  #8  Clock  watching       —  —       open, no bids, next bid 1,000, reserve not met, ends ${clock(600)}`);
    const auto = { ...bid(8, 2, 1100, 4, 4, 1), automatic: true, reserveMet: false } as AuctionEvent;
    expect(lines.line({ ...bid(8, 1, 1000, 4, null, 1), reserveMet: false } as AuctionEvent)).toMatch(/  bid +1,000  user 4  1 bid, next bid 1,100$/);
    expect(lines.line(auto)).toMatch(/  bid \(auto\) +1,100  user 4  2 bids, next bid 1,200$/);
    expect(lines.line({ ...bid(8, 3, 3000, 5, 4, 2), reserveMet: true } as AuctionEvent)).toMatch(/  bid +3,000  you +3 bids, next bid 3,100, user 4 was outbid, reserve met$/);
    // Met already: the next bid does not say it again.
    expect(lines.line(bid(8, 4, 3100, 4, 5, 3))).toMatch(/, you were outbid$/);
    const outbid: PrivateEvent = { type: 'outbid', auction: 8, version: 4, at: at(3), by: 'max', price: 3100, leaderId: 4, released: 3000 };
    expect(lines.line(outbid)).toMatch(/  outbid +3,100  user 4  private: you were outbid by a maximum, your hold of 3,000 released$/);
    const below = { type: 'closed', auction: 8, version: 5, at: at(9), status: 'unsold', winnerId: null, price: null, reason: 'reserve_not_met', endsAt: at(9) } as const;
    expect(lines.line(below)).toMatch(/  unsold .*ended below its reserve, no sale$/);
    expect(lines.line({ ...snapshot(9, 'Vase', { status: 'unsold', unsoldReason: 'reserve_not_met' }) })).toMatch(/already ended below its reserve$/);
  });

  it('says how an auction ended without a winner: unsold and cancelled', () => {
    const lines = new EventLines(plain, () => NOW);
    lines.remember(snapshot(3, 'Vase'));
    lines.remember(snapshot(4, 'Rug'));
    expect(lines.line({ type: 'closed', auction: 3, version: 1, at: at(5), status: 'unsold', winnerId: null, price: null, reason: 'no_bids', endsAt: at(5) })).toBe(
      `${clock(5)}  #3  Vase  unsold         —  —       ended without bids`,
    );
    expect(lines.line({ type: 'cancelled', auction: 4, version: 2, at: at(6), status: 'cancelled', previousLeaderId: 9, endsAt: at(600) })).toBe(
      `${clock(6)}  #4  Rug   cancelled      —  —       no winner, user 9's hold released`,
    );
    expect(lines.line({ type: 'cancelled', auction: 4, version: 2, at: at(6), status: 'cancelled', previousLeaderId: null, endsAt: at(600) })).toMatch(
      /  no winner$/,
    );
  });

  it('describes an auction that had already ended when the watch started', () => {
    const lines = new EventLines(plain, () => NOW);
    const ended = [
      snapshot(1, 'Lamp', { status: 'sold', currentPrice: 900, leaderId: 3 }),
      snapshot(2, 'Lamp', { status: 'closed', currentPrice: 800, leaderId: 4 }),
      snapshot(3, 'Lamp', { status: 'unsold' }),
      snapshot(4, 'Lamp', { status: 'cancelled' }),
    ];
    expect(ended.map((m) => lines.line(m).replace(/^.*watching\s+\S+\s+\S+( \d+)?\s+/, ''))).toEqual([
      'already sold to user 3',
      'already ended, won by user 4',
      'already ended without bids',
      'already cancelled',
    ]);
  });

  it("shows the token's user as you, and marks their private events", () => {
    const lines = new EventLines(plain, () => NOW);
    lines.me = 4;
    lines.remember(snapshot(7, 'Brass lamp'));
    const privates: PrivateEvent[] = [
      { type: 'outbid', auction: 7, version: 2, at: at(2), by: 'bid', price: 1100, leaderId: 5, released: 1000 },
      { type: 'balance', userId: 4, balance: 10_000, held: 0, available: 10_000, at: at(2) },
    ];
    expect([bid(7, 1, 1000, 4, null, 1), bid(7, 2, 1100, 5, 4, 2), ...privates].map((m) => lines.line(m))).toEqual([
      `${clock(1)}  #7  Brass lamp  bid        1,000  you     1 bid, next bid 1,100`,
      `${clock(2)}  #7  Brass lamp  bid        1,100  user 5  2 bids, next bid 1,200, you were outbid`,
      `${clock(2)}  #7  Brass lamp  outbid     1,100  user 5  private: you were outbid, your hold of 1,000 released`,
      `${clock(2)}                  balance                   private: balance 10,000, held 0, available 10,000`,
    ]);
    expect(lines.line({ type: 'cancelled', auction: 7, version: 3, at: at(3), status: 'cancelled', previousLeaderId: 4, endsAt: at(600) })).toMatch(
      /  no winner, your hold released$/,
    );
  });

  it('says what an ending meant to you: won, lost (to someone, or below the reserve), sold, unsold', () => {
    const lines = new EventLines(plain, () => NOW);
    lines.me = 4;
    lines.learnTitle(7, 'Brass lamp');
    const endings: PrivateEvent[] = [
      { type: 'won', auction: 7, version: 9, at: at(9), price: 1500 },
      { type: 'lost', auction: 7, version: 9, at: at(9), price: 1500, winnerId: 5, reason: null },
      { type: 'lost', auction: 7, version: 4, at: at(9), price: null, winnerId: null, reason: 'reserve_not_met' },
      { type: 'sale', auction: 7, version: 9, at: at(9), price: 1500, buyerId: 5 },
      { type: 'unsold', auction: 7, version: 1, at: at(9), reason: 'no_bids' },
      { type: 'unsold', auction: 7, version: 4, at: at(9), reason: 'reserve_not_met' },
      { type: 'maxRaised', auction: 7, version: 3, at: at(9), price: 1200, max: 2000 },
      { type: 'maxExhausted', auction: 7, version: 5, at: at(9), max: 2000 },
    ];
    expect(endings.map((m) => lines.line(m))).toEqual([
      `${clock(9)}  #7  Brass lamp  won        1,500  you     private: you won it for 1,500`,
      `${clock(9)}  #7  Brass lamp  lost       1,500  user 5  private: it ended, won by user 5`,
      `${clock(9)}  #7  Brass lamp  lost           —  —       private: it ended below its reserve; nobody won it`,
      `${clock(9)}  #7  Brass lamp  sale       1,500  user 5  private: your auction sold to user 5`,
      `${clock(9)}  #7  Brass lamp  no sale        —  —       private: your auction ended without a bid`,
      `${clock(9)}  #7  Brass lamp  no sale        —  —       private: your auction ended below its reserve`,
      `${clock(9)}  #7  Brass lamp  max raised  1,200          private: your maximum of 2,000 answered a bid`,
      `${clock(9)}  #7  Brass lamp  max used up  2,000          private: the price reached your maximum of 2,000`,
    ]);
    expect(endings.map((m) => lines.users(m))).toEqual([[], [5], [], [5], [], [], [], []]);
  });

  it('keeps the price and leader for an extension, which does not carry them', () => {
    const lines = new EventLines(plain, () => NOW);
    lines.remember(snapshot(7, 'Lamp', { currentPrice: 2000, leaderId: 8, bidCount: 3, minNextBid: 2100 }));
    expect(lines.line({ type: 'extended', auction: 7, version: 4, at: at(1), endsAt: at(31), bidId: 3 })).toBe(
      `${clock(1)}  #7  Lamp  extended   2,000  user 8  soft close: now ends ${clock(31)}`,
    );
  });

  it('cuts long titles, widens columns for larger values and calls a later snapshot a resync', () => {
    const lines = new EventLines(plain, () => NOW);
    const long = snapshot(7, 'A very long title for a small brass lamp with a shade');
    lines.remember(long);
    const first = lines.line(long);
    expect(first).toContain('#7  A very long title for a small…  watching');
    const again = lines.line(snapshot(7, 'A very long title for a small brass lamp with a shade', { version: 2000, currentPrice: 99_000_000, leaderId: 12345 }));
    expect(again).toContain('resync     99,000,000  user 12345');
    // A line for an auction this watch has no snapshot of (a private outbid elsewhere): its id, no title.
    const other = lines.line({ type: 'outbid', auction: 1234, version: 9, at: at(9), by: 'bid', price: 700, leaderId: 2, released: 600 });
    expect(other).toMatch(new RegExp(`^${clock(9)}  #1234 {34}outbid {12}700  user 2 {6}private: you were outbid`));
  });

  it('writes users by name where known (long names cut), by id otherwise, and lists whom a line names', () => {
    const lines = new EventLines(plain, () => NOW);
    const known = new Map([[4, 'ada'], [5, 'a name far longer than any column should be']]);
    lines.names = { name: (id, max = Infinity) => (known.has(id) ? truncate(known.get(id)!, max) : undefined) };
    lines.me = 6;
    const lamp = snapshot(7, 'Lamp', { currentPrice: 900, leaderId: 9, bidCount: 1, minNextBid: 1000 });
    lines.remember(lamp);
    const outbid = bid(7, 2, 1000, 4, 9, 1);
    const mine = bid(7, 3, 1100, 6, 4, 2);
    const theirs = bid(7, 4, 1200, 5, 6, 3);
    const cancel: AuctionEvent = { type: 'cancelled', auction: 7, version: 5, at: at(4), status: 'cancelled', previousLeaderId: 5, endsAt: at(600) };
    expect([lamp, outbid, mine, theirs, cancel].map((m) => lines.users(m))).toEqual([[9], [4, 9], [4], [5], [5]]);
    expect([lamp, outbid, mine, theirs, cancel].map((m) => lines.line(m).replace(/^\S+ +#7 +Lamp +/, ''))).toEqual([
      // The leader column only ever widens, so earlier lines are narrower.
      `watching     900  user 9  open, 1 bid, next bid 1,000, ends ${clock(600)}`,
      'bid        1,000  ada     2 bids, next bid 1,100, user 9 was outbid',
      'bid        1,100  you     3 bids, next bid 1,200, ada was outbid',
      'bid        1,200  a name far longer than …  4 bids, next bid 1,300, you were outbid',
      "cancelled      —  —                         no winner, a name far longer than …'s hold released",
    ]);
  });

  it('tells the token\'s user by id: a user named "you" is written by id, and their losses are not yours', async () => {
    const lines = new EventLines(plain, () => NOW);
    const names = new NameCache({ users: async (ids) => ({ users: ids.map((id) => ({ id, name: id === 5 ? 'you' : 'ada' })) }) });
    lines.names = names;
    lines.me = 4;
    lines.remember(snapshot(7, 'Lamp'));
    const messages: AuctionEvent[] = [
      bid(7, 1, 1000, 5, null, 1),
      bid(7, 2, 1100, 4, 5, 2),
      bid(7, 3, 1200, 5, 4, 3),
      { type: 'cancelled', auction: 7, version: 4, at: at(4), status: 'cancelled', previousLeaderId: 5, endsAt: at(600) },
    ];
    // User 5 is not the token's user, so their name is asked for like anyone's.
    expect(messages.map((m) => lines.users(m))).toEqual([[5], [5], [5], [5]]);
    await names.lookup([5]);
    expect(messages.map((m) => lines.line(m).replace(/^\S+ +#7 +Lamp +/, ''))).toEqual([
      'bid        1,000  user 5  1 bid, next bid 1,100',
      'bid        1,100  you     2 bids, next bid 1,200, user 5 was outbid',
      'bid        1,200  user 5  3 bids, next bid 1,300, you were outbid',
      "cancelled      —  —       no winner, user 5's hold released",
    ]);
  });

  it('paints only on request, and padding stays outside the colour codes', () => {
    const coloured = new EventLines(painter(true), () => NOW);
    const uncoloured = new EventLines(plain, () => NOW);
    const messages = [snapshot(7, 'Lamp'), bid(7, 1, 1000, 4, null, 1)];
    const painted = messages.map((m) => coloured.line(m));
    expect(painted[1]).toContain('\u001b[32mbid      \u001b[39m');
    expect(painted[1]).toContain(`\u001b[2m${clock(1)}\u001b[22m`);
    expect(painted.map((l) => l.replace(/\u001b\[\d+m/g, ''))).toEqual(messages.map((m) => uncoloured.line(m)));
    expect(messages.map((m) => uncoloured.line(m)).join('')).not.toContain('\u001b[');
  });
});

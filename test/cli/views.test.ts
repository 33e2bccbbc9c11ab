import { describe, expect, it } from 'vitest';
import { painter } from '../../src/cli/output.js';
import { auctionBlock, auctionTable, byName } from '../../src/cli/views.js';
import { auction, T0 } from '../helpers/auction-data.js';

const plain = painter(false);

describe('auctionBlock', () => {
  it('counts bids as 1 bid, 2 bids, and says when there are none', () => {
    const priceLine = (bidCount: number) =>
      auctionBlock(auction(1, { currentPrice: bidCount ? 150 : null, leaderId: bidCount ? 4 : null, bidCount }), plain, T0)
        .split('\n')
        .find((l) => l.startsWith('price'));
    expect(priceLine(0)).toBe('price         no bids yet');
    expect(priceLine(1)).toBe('price         150 (leader user 4, 1 bid)');
    expect(priceLine(2)).toBe('price         150 (leader user 4, 2 bids)');
  });

  it('writes soft close in the one duration form', () => {
    const block = auctionBlock(auction(1, { softCloseSec: 90 }), plain, T0);
    expect(block).toMatch(/^soft close {4}1m 30s$/m);
  });
});

describe('auctionTable', () => {
  it('shows the buy-now price only while buy now is available', () => {
    const open = auction(1, { buyNowPrice: 5000, buyNowAvailable: true });
    // Gone: the first bid took it away (firstBid), or bidding reached it (price).
    const firstBid = auction(2, { buyNowPrice: 6000, buyNowUntil: 'firstBid', buyNowAvailable: false, currentPrice: 100, leaderId: 4, bidCount: 1 });
    const reached = auction(3, { buyNowPrice: 7000, buyNowAvailable: false, currentPrice: 7000, leaderId: 4, bidCount: 9 });
    const none = auction(4);
    const lines = auctionTable([open, firstBid, reached, none], plain, T0).split('\n');
    const column = lines[0]!.indexOf('BUY NOW') + 'BUY NOW'.length;
    const cell = (line: string) => line.slice(0, column).trimEnd().split(/\s+/).at(-1);
    expect(lines.slice(1).map(cell)).toEqual(['5,000', '—', '—', '—']);
    expect(lines.join('\n')).not.toMatch(/6,000/);
  });
});

describe('byName', () => {
  it('writes the token\'s user as you by id, and anyone else by name or id', () => {
    const who = byName({ name: (id) => (id === 5 ? 'ada' : undefined) }, 4);
    expect([who(4), who(5), who(6), who(null)]).toEqual(['you', 'ada', 'user 6', '—']);
  });
});

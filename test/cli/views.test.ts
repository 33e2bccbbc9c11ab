import { describe, expect, it } from 'vitest';
import { painter } from '../../src/cli/output.js';
import { auctionBlock, byName } from '../../src/cli/views.js';
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

describe('byName', () => {
  it('writes the token\'s user as you by id, and anyone else by name or id', () => {
    const who = byName({ name: (id) => (id === 5 ? 'ada' : undefined) }, 4);
    expect([who(4), who(5), who(6), who(null)]).toEqual(['you', 'ada', 'user 6', '—']);
  });
});

// The input schemas the daemon validates with at the edge (and the client reuses).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MONEY } from '../../src/protocol/money.js';
import { bidBody, createAuctionBody, createUserBody, idParam, idempotencyKey, listAuctionsQuery } from '../../src/protocol/schemas.js';

describe('amounts', () => {
  it('accept exactly the whole amounts from 1 to 2^53−1', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, MAX_MONEY, MAX_MONEY + 1, 2 ** 60)), (amount) => {
        const ok = Number.isSafeInteger(amount) && amount >= 1;
        expect(bidBody.safeParse({ amount }).success).toBe(ok);
      }),
    );
    for (const amount of ['100', null, true, [100], { n: 100 }]) expect(bidBody.safeParse({ amount }).success).toBe(false);
  });
});

describe('ids', () => {
  it('accept positive safe integers written plainly, nothing else', () => {
    expect(idParam.parse('1')).toBe(1);
    expect(idParam.parse('9007199254740991')).toBe(MAX_MONEY);
    for (const id of ['0', '01', '-1', '1.0', '1e3', ' 1', '9007199254740992', '99999999999999999', '']) {
      expect(idParam.safeParse(id).success, id).toBe(false);
    }
  });
});

describe('bodies', () => {
  it('refuse unknown fields everywhere', () => {
    expect(createUserBody.safeParse({ name: 'a', id: 1 }).success).toBe(false);
    expect(bidBody.safeParse({ amount: 1, bidderId: 2 }).success).toBe(false);
    expect(createAuctionBody.safeParse({ title: 't', startPrice: 1, minIncrement: 1, durationSec: 1, sellerId: 1 }).success).toBe(false);
  });

  it('want exactly one of durationSec and endsAt, and buy-now at or above the start', () => {
    const base = { title: 't', startPrice: 100, minIncrement: 1 };
    const endsAt = new Date(Date.now() + 60_000).toISOString();
    expect(createAuctionBody.safeParse({ ...base, durationSec: 60 }).success).toBe(true);
    expect(createAuctionBody.safeParse({ ...base, endsAt }).success).toBe(true);
    expect(createAuctionBody.safeParse(base).success).toBe(false);
    expect(createAuctionBody.safeParse({ ...base, durationSec: 60, endsAt }).success).toBe(false);
    expect(createAuctionBody.safeParse({ ...base, durationSec: 60, buyNowPrice: 100 }).success).toBe(true);
    expect(createAuctionBody.safeParse({ ...base, durationSec: 60, buyNowPrice: 99 }).success).toBe(false);
  });

  it('trim names and titles and refuse control characters', () => {
    expect(createUserBody.parse({ name: '  ann  ' }).name).toBe('ann');
    for (const name of ['', '   ', 'a\u0000b', 'a\tb', 'a\u007fb', 'x'.repeat(65)]) {
      expect(createUserBody.safeParse({ name }).success, JSON.stringify(name)).toBe(false);
    }
  });

  it('default a listing to 50 open auctions and bound the limit', () => {
    expect(listAuctionsQuery.parse({})).toEqual({ status: 'open', limit: 50 });
    expect(listAuctionsQuery.parse({ status: 'all', limit: '200' })).toEqual({ status: 'all', limit: 200 });
    for (const limit of ['0', '201', '1.5', 'x']) expect(listAuctionsQuery.safeParse({ limit }).success).toBe(false);
  });

  it('take printable ASCII idempotency keys of 1 to 200 characters', () => {
    expect(idempotencyKey.safeParse('order-42/retry_1').success).toBe(true);
    for (const key of ['', 'a b', 'é', 'x'.repeat(201)]) expect(idempotencyKey.safeParse(key).success).toBe(false);
  });
});

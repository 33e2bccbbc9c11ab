import { describe, expect, it } from 'vitest';
import { CloseCode, closeCodeOf, errorOfClose, NbError } from '../../src/protocol/errors.js';
import { errorFrame, isAuctionFrame, parseClientFrame } from '../../src/protocol/frames.js';
import { nbError } from '../../src/protocol/errors.js';

function refusal(text: string): NbError {
  try {
    parseClientFrame(text);
  } catch (err) {
    return err as NbError;
  }
  throw new Error(`accepted ${text}`);
}

describe('parseClientFrame', () => {
  it('accepts the five ops', () => {
    expect(parseClientFrame('{"op":"ping"}')).toEqual({ op: 'ping' });
    expect(parseClientFrame('{"op":"subscribe","auctions":[1,2],"after":{"2":5}}')).toEqual({
      op: 'subscribe',
      auctions: [1, 2],
      after: { 2: 5 },
    });
    expect(parseClientFrame('{"op":"unsubscribe","auctions":[7]}')).toEqual({ op: 'unsubscribe', auctions: [7] });
    expect(parseClientFrame('{"op":"inbox","after":17}')).toEqual({ op: 'inbox', after: 17 });
    expect(parseClientFrame('{"op":"inbox"}')).toEqual({ op: 'inbox' });
    expect(parseClientFrame('{"op":"bid","ref":1,"auction":9,"amount":500}')).toEqual({ op: 'bid', ref: 1, auction: 9, amount: 500 });
    expect(parseClientFrame('{"op":"bid","ref":"a-1","auction":9,"max":900,"key":"k1"}')).toEqual({ op: 'bid', ref: 'a-1', auction: 9, max: 900, key: 'k1' });
  });

  it('refuses everything else with INVALID_INPUT and a sentence naming the problem', () => {
    const cases: [string, RegExp][] = [
      ['nope', /not valid JSON/],
      ['[1]', /JSON object/],
      ['null', /JSON object/],
      ['{"auctions":[1]}', /Unknown op \(missing\)/],
      ['{"op":"bids"}', /Unknown op \("bids"\)/],
      ['{"op":"bid","auction":9,"amount":1}', /ref must be/],
      ['{"op":"bid","ref":-1,"auction":9,"amount":1}', /ref must be/],
      ['{"op":"bid","ref":1,"auction":9,"amount":0}', /amount must be at least 1/],
      ['{"op":"bid","ref":1,"auction":9,"max":1.5}', /max must be a whole number/],
      ['{"op":"bid","ref":1,"auction":9,"amount":1,"key":""}', /key/],
      ['{"op":"subscribe"}', /auctions/],
      ['{"op":"subscribe","auctions":[]}', /must not be empty/],
      ['{"op":"subscribe","auctions":["1"]}', /must be a number/],
      ['{"op":"subscribe","auctions":[0]}', /at least 1/],
      ['{"op":"subscribe","auctions":[1e300]}', /too large/],
      ['{"op":"subscribe","auctions":[1],"after":{"1":-1}}', /negative/],
      ['{"op":"subscribe","auctions":[1],"after":{"x":1}}', /every key of after/],
      ['{"op":"subscribe","auctions":[1],"after":[1]}', /object of versions/],
      ['{"op":"inbox","after":-1}', /negative/],
      ['{"op":"inbox","after":"3"}', /must be a number/],
      ['{"op":"inbox","after":1.5}', /whole number/],
      ['{"op":"inbox","after":3,"auctions":[1]}', /auctions/],
      ['{"op":"subscribe","auctions":[1],"after":{"2":1}}', /every key of after/],
      ['{"op":"ping","x":1}', /Unrecognized key|unrecognized/i],
    ];
    for (const [text, message] of cases) {
      const err = refusal(text);
      expect(err.code, text).toBe('INVALID_INPUT');
      expect(err.message, text).toMatch(message);
    }
  });
});

describe('frames and close codes', () => {
  it('makes error frames from error values, details included', () => {
    expect(errorFrame(nbError('NOT_FOUND', { auction: 9 }))).toEqual({
      type: 'error',
      code: 'NOT_FOUND',
      message: 'No auction 9.',
      auction: 9,
    });
  });

  it('names the ref of a malformed bid frame in its error, when the ref itself is good', () => {
    expect(refusal('{"op":"bid","ref":"r7","auction":9,"amount":-1}').details).toMatchObject({ op: 'bid', ref: 'r7' });
    expect(refusal('{"op":"bid","ref":{},"auction":9,"amount":1}').details).not.toHaveProperty('ref');
  });

  it('maps error codes to close codes and back', () => {
    expect(closeCodeOf('SLOW_CONSUMER')).toBe(CloseCode.slowConsumer);
    expect(closeCodeOf('SHUTTING_DOWN')).toBe(1001);
    // An error without a close code of its own ends a socket as a daemon bug would.
    expect(closeCodeOf('BID_TOO_LOW')).toBe(CloseCode.internal);
    expect(errorOfClose(1011)).toBe('INTERNAL');
    expect(errorOfClose(4008)).toBe('SLOW_CONSUMER');
    expect(errorOfClose(1009)).toBe('PAYLOAD_TOO_LARGE');
    expect(errorOfClose(1000)).toBeUndefined();
  });

  it('tells auction frames from the others', () => {
    expect(isAuctionFrame({ type: 'pong' })).toBe(false);
    expect(isAuctionFrame({ type: 'subscribed', auctions: [1] })).toBe(false);
    expect(
      isAuctionFrame({ type: 'extended', auction: 1, version: 2, at: '2030-01-01T00:00:00.000Z', endsAt: '2030-01-01T00:01:00.000Z', bidId: 3 }),
    ).toBe(true);
  });
});

// The bench watchers' frame reader: one pass over a payload from the daemon
// that unrolls batch frames and reads each flat event frame where it lies.
// Every frame must come out once, in order, as exactly its own JSON, with
// the event fields JSON.parse would give — whatever the other frames hold.
import { describe, expect, it } from 'vitest';
import { FrameReader, isBatch } from '../../bench/watchers/frame-reader.js';
import { batchFrame, jsonFrame, payloadOf, textFrame } from '../../src/daemon/hub/ws-frame.js';

type Out = { event: { type: string; auction: number; version: number; at: number; bidId: number } } | { other: unknown };

/** What the reader hands over for `payload`, placed inside a larger buffer (as in the shared read buffer, with stale bytes after it). */
function read(payload: Buffer, batch: boolean): Out[] {
  const out: Out[] = [];
  const reader = new FrameReader({
    event: (f, buf, start, end) => {
      // The bytes handed over with the fields are the whole frame: JSON.parse reads the same from them.
      const full = JSON.parse(buf.toString('utf8', start, end)) as { at?: string; bidId?: number };
      expect(f.at).toEqual(full.at === undefined ? NaN : Date.parse(full.at));
      expect(f.bidId).toEqual(full.bidId ?? NaN);
      out.push({ event: { ...f } });
    },
    other: (frame) => out.push({ other: JSON.parse(frame.toString('utf8')) }),
  });
  const buf = Buffer.alloc(payload.length + 200, '{"version":9,"auction":1}}]}');
  payload.copy(buf, 100);
  expect(isBatch(buf, 100, 100 + payload.length)).toBe(batch);
  if (batch) reader.batch(buf, 100, 100 + payload.length);
  else reader.one(buf, 100, 100 + payload.length);
  return out;
}

/** What the reader gives for an event frame: the fields as JSON.parse reads them. */
function fields(frame: unknown): Out {
  const o = frame as { type: string; auction: number; version: number; at?: string; bidId?: number };
  return { event: { type: o.type, auction: o.auction, version: o.version, at: o.at === undefined ? NaN : Date.parse(o.at), bidId: o.bidId ?? NaN } };
}

// An event as the daemon sends it: the outbox's jsonb, whose keys come shortest first.
const bid = (auction: number, version: number, bidId: number) =>
  `{"at":"2026-11-25T17:08:04.937Z","type":"bid","bidId":${bidId},"price":130,"amount":130,"endsAt":"2026-12-02T17:00:00.000Z","auction":${auction},"version":${version},"bidCount":12,"bidderId":4,"leaderId":4,"automatic":false,"minNextBid":131,"reserveMet":true,"previousLeaderId":9}`;

describe('FrameReader', () => {
  it('reads the event frames of a batch in place and hands over the others whole, in order, tricky strings included', () => {
    const frames: unknown[] = [
      JSON.parse(bid(7, 41, 812)),
      { type: 'snapshot', auction: 8, version: 3, state: { title: 'a "quoted" {lamp} [x] \\ back\\slash }], "version":99', leaderId: null, nested: { a: [1, { b: 2 }] } } },
      { type: 'reply', ref: 'r]},{"type":"bid"', status: 201, body: { bid: { id: 1, auction: 7, version: 42 } } },
      { type: 'closed', auction: 7, version: 43, title: 'é€😀' },
      { type: 'subscribed', auctions: [7, 8] },
      { type: 'error', code: 'NOT_FOUND', message: 'No auction {9}], "x".', auction: 9 },
      { at: '2030-01-01T00:00:00.000Z', type: 'cancelled', status: 'cancelled', endsAt: '2030-01-02T00:00:00.000Z', auction: 3, version: 1, previousLeaderId: null },
      JSON.parse(bid(12, 5, 813)),
    ];
    const out = read(payloadOf(batchFrame(frames.map(jsonFrame))), true);
    expect(out).toEqual([
      fields(frames[0]),
      { other: frames[1] },
      { other: frames[2] },
      fields(frames[3]),
      { other: frames[4] },
      { other: frames[5] },
      fields(frames[6]),
      fields(frames[7]),
    ]);
  });

  it('reads an event frame in any key order, and one whose strings hold commas and brackets', () => {
    const frames = [
      { type: 'extended', bidId: 5, endsAt: '2026-11-26T00:02:00.000Z', version: 3, auction: 12, at: '2026-11-25T23:59:59.999Z' },
      { version: 8, auction: 4, type: 'sold', status: 'a,b]c', buyerId: 3, at: '2026-01-01T00:00:00.000+00:00' },
      { type: 'outbid', auction: 42, version: 4, at: '2030-05-01T17:50:00.000Z', by: 'bid', price: 1300 },
    ];
    expect(read(payloadOf(batchFrame(frames.map(jsonFrame))), true)).toEqual(frames.map(fields));
  });

  it('hands over in full a frame of an event type that is not flat, or whose fields are not whole numbers', () => {
    const frames = [
      { at: '2030-01-01T00:00:00.000Z', type: 'bid', bidId: 1, extra: { version: 2 }, auction: 7, version: 3 },
      { at: '2030-01-01T00:00:00.000Z', type: 'bid', bidId: 1, auction: 7, version: 3.5 },
      { at: '2030-01-01T00:00:00.000Z', type: 'bid', bidId: 1, auction: -7, version: 3 },
      { at: '2030-01-01T00:00:00.000Z', type: 'bid', bidId: 1, auction: null, version: 3 },
      { at: '2030-01-01T00:00:00.000Z', type: 'maxRaised', auction: 7, version: 3, price: 1, max: 2 },
      { type: 'presence', auction: 7, watching: 3 },
      { type: 'balance', userId: 4, balance: 10, held: 0, available: 10, at: '2030-01-01T00:00:00.000Z' },
    ];
    expect(read(payloadOf(batchFrame(frames.map(jsonFrame))), true)).toEqual(frames.map((f) => ({ other: f })));
  });

  it('reads a frame that came alone, and leaves a frame that is not a batch to be read alone', () => {
    expect(read(payloadOf(textFrame(bid(7, 41, 812))), false)).toEqual([fields(JSON.parse(bid(7, 41, 812)))]);
    const snapshot = { type: 'snapshot', auction: 7, version: 41, state: { id: 7, title: '"version":99', version: 41 } };
    expect(read(payloadOf(jsonFrame(snapshot)), false)).toEqual([{ other: snapshot }]);
    expect(read(Buffer.from('{"type":"batch"}'), false)).toEqual([{ other: { type: 'batch' } }]);
  });

  it('hands over an empty batch as nothing, and what is left of a malformed one to be parsed (and fail there)', () => {
    expect(read(Buffer.from('{"type":"batch","frames":[]}'), true)).toEqual([]);
    const reader = new FrameReader({ event: () => undefined, other: (f) => rest.push(f.toString()) });
    const rest: string[] = [];
    const bad = Buffer.from(`{"type":"batch","frames":[${bid(1, 1, 1)},"oops"]}`);
    reader.batch(bad, 0, bad.length);
    expect(rest).toEqual(['"oops"]}']);
  });
});

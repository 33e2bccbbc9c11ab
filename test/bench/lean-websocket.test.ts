// The bench watchers' batch reader: it splits a batch frame, as the daemon
// builds it, into the frames inside without parsing the JSON, and each piece
// must be exactly one frame's JSON — whatever the strings in it hold.
import { describe, expect, it } from 'vitest';
import { eachInBatch } from '../../bench/watchers/lean-websocket.js';
import { batchFrame, jsonFrame, payloadOf } from '../../src/daemon/hub/ws-frame.js';

function split(payload: Buffer): unknown[] | false {
  const out: unknown[] = [];
  return eachInBatch(payload, (f) => out.push(JSON.parse(f.toString('utf8')))) ? out : false;
}

describe('eachInBatch', () => {
  it('hands over every frame of a batch, in order, nested objects and tricky strings included', () => {
    const frames = [
      { type: 'bid', auction: 7, version: 1, at: '2030-01-01T00:00:00.000Z', bidId: 5 },
      { type: 'snapshot', auction: 8, version: 3, state: { title: 'a "quoted" {lamp} [x] \\ back\\slash }]', leaderId: null, nested: { a: [1, { b: 2 }] } } },
      { type: 'reply', ref: 'r]}', status: 201, body: { bid: { id: 1 } } },
      { type: 'closed', auction: 7, version: 2, title: 'é€😀' },
      { type: 'subscribed', auctions: [7, 8] },
      { type: 'error', code: 'NOT_FOUND', message: 'No auction {9}], "x".', auction: 9 },
      { type: 'balance', userId: 4, balance: 10, held: 0, available: 10, at: '2030-01-01T00:00:00.000Z' },
    ];
    expect(split(payloadOf(batchFrame(frames.map(jsonFrame))))).toEqual(frames);
  });

  it('leaves a frame that is not a batch alone', () => {
    expect(split(payloadOf(jsonFrame({ type: 'bid', auction: 1, version: 1 })))).toBe(false);
    expect(split(Buffer.from('{"type":"batch"'))).toBe(false);
  });
});

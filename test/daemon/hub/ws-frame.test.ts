// The hub's prepared frames must be exactly what a WebSocket peer expects:
// read back by the `ws` library's own frame parser at every header size.
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { batchFrame, joinedFrames, jsonFrame, payloadOf, textFrame } from '../../../src/daemon/hub/ws-frame.js';

// ws's frame parser; its type declarations leave it out.
const { Receiver } = createRequire(import.meta.url)('ws') as { Receiver: new (o: { isServer: boolean }) => Writable };

/** Parses `bytes` as a client would (unmasked frames from a server) and returns the text messages. */
function receive(bytes: Buffer): Promise<string[]> {
  const messages: string[] = [];
  const r = new Receiver({ isServer: false });
  return new Promise((resolve, reject) => {
    r.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) reject(new Error('binary frame'));
      messages.push(data.toString('utf8'));
    });
    r.on('error', reject);
    r.write(bytes, () => resolve(messages));
  });
}

describe('prepared text frames', () => {
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 200_000])('carry a %i-byte payload that ws reads back whole', async (n) => {
    const text = 'x'.repeat(n);
    expect(await receive(textFrame(text))).toEqual([text]);
  });

  it('count bytes, not characters, in the length', async () => {
    const text = `{"title":"Brass lamp — €5 ${'é'.repeat(100)}"}`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(125);
    expect(text.length).toBeLessThan(126 + 100);
    expect(await receive(textFrame(text))).toEqual([text]);
  });

  it('follow one another in one buffer as separate messages', async () => {
    const events = [{ type: 'bid', version: 1 }, { type: 'bid', version: 2, note: 'y'.repeat(300) }, { type: 'closed', version: 3 }];
    const got = await receive(Buffer.concat(events.map(jsonFrame)));
    expect(got.map((m) => JSON.parse(m) as unknown)).toEqual(events);
  });
});

describe('batch frames', () => {
  it('hold the JSON of every frame, in order, whatever their header sizes, as one message ws reads back', async () => {
    const frames = [
      { type: 'bid', auction: 7, version: 1 },
      { type: 'snapshot', auction: 8, version: 4, state: { title: 'Brass lamp — é, "quoted" ]}' + 'z'.repeat(200) } },
      { type: 'closed', auction: 7, version: 2, note: 'w'.repeat(70_000) },
      { type: 'reply', ref: 'r1', status: 201, body: {} },
    ];
    const batch = batchFrame(frames.map(jsonFrame));
    const got = await receive(batch);
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!)).toEqual({ type: 'batch', frames });
  });

  it('are made of the frames\' own bytes: the payload of each is copied, not serialised again', () => {
    const a = jsonFrame({ type: 'bid', version: 1 });
    const b = textFrame('{"type":"bid","version":2}');
    expect(payloadOf(batchFrame([a, b])).toString()).toBe(`{"type":"batch","frames":[${payloadOf(a).toString()},${payloadOf(b).toString()}]}`);
  });

  it('hold exactly their bytes at any count, none and one included (the header says the length)', () => {
    for (const n of [0, 1, 2, 5]) {
      const frames = Array.from({ length: n }, (_, i) => jsonFrame({ type: 'bid', version: i }));
      const payload = payloadOf(batchFrame(frames));
      expect(JSON.parse(payload.toString())).toEqual({ type: 'batch', frames: frames.map((f) => JSON.parse(payloadOf(f).toString())) });
    }
  });

  it('come out the same when built in a used buffer (the daemon\'s shared one), and so do joined frames', () => {
    const frames = [
      jsonFrame({ type: 'bid', version: 1 }),
      jsonFrame({ type: 'snapshot', version: 2, state: { title: 'é'.repeat(150) } }),
      jsonFrame({ type: 'bid', version: 3 }),
    ];
    const used = Buffer.alloc(100_000, 'x');
    const alloc = (n: number) => used.subarray(used.length - n); // written bytes elsewhere in it stay
    expect(batchFrame(frames, alloc).equals(batchFrame(frames))).toBe(true);
    const bytes = frames.reduce((n, f) => n + f.length, 0);
    expect(joinedFrames(frames, bytes, alloc).equals(Buffer.concat(frames))).toBe(true);
  });
});

// Property-based fuzzing of the WebSocket (fast-check): random sequences of
// frames — ops with wrong, missing and extra fields, ids that are not ids,
// JSON that is not a frame, text that is not JSON, binary frames — each answered
// (an error frame for what cannot be done) on a socket that stays open; random
// upgrade requests answered 101 or refused in the error shape; and the frame
// limits exactly where the protocol puts them. Never a 1011, never a crash,
// never a change to money.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import WebSocket from 'ws';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, isErrorCode } from '../../../src/protocol/errors.js';
import { privateEventTypes, publicEventTypes } from '../../../src/protocol/events.js';
import type { ServerFrame } from '../../../src/protocol/frames.js';
import { useDaemon } from '../../helpers/fixture.js';
import { soak } from '../../helpers/soak.js';
import { expectAuditClean, seedAuction, seedUser, snapshot, type SeededUser } from '../../helpers/seed.js';
import { report } from '../../helpers/tally.js';
import { openWatcher } from '../../helpers/watcher.js';

const t = useDaemon();
let alice: SeededUser;
let lots: number[];

beforeAll(async () => {
  const seller = await seedUser(t.daemon, 0);
  alice = await seedUser(t.daemon, 1000);
  lots = [(await seedAuction(seller)).id, (await seedAuction(seller)).id];
  await alice.client.bid(lots[0]!, 100);
});

const ANSWERS = new Set(['subscribed', 'unsubscribed', 'error', 'pong', 'inbox']);
const KNOWN = new Set(['welcome', 'snapshot', ...publicEventTypes, ...privateEventTypes, ...ANSWERS]);
const FRAME_ERRORS = new Set(['INVALID_INPUT', 'NOT_FOUND', 'TOO_MANY_SUBSCRIPTIONS', 'UNAUTHORIZED']);

interface Sent {
  data: string | Buffer;
  binary: boolean;
}

const idish = () =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...lots, 987_654_321) },
    { weight: 2, arbitrary: fc.integer({ min: -3, max: 1_000_000 }) },
    { weight: 1, arbitrary: fc.oneof(fc.double(), fc.string({ maxLength: 5 }), fc.constantFrom(null, true, 2 ** 53, 0, '1', [1], {})) },
  );
const op = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('subscribe', 'unsubscribe', 'ping', 'inbox') },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('Subscribe', 'subscribe ', 'buy', 'bid', '', '__proto__', 'constructor'), fc.string({ maxLength: 8 })) },
);
const ofFields = () =>
  fc
    .record(
      {
        op,
        auctions: fc.oneof({ weight: 4, arbitrary: fc.array(idish(), { maxLength: 6 }) }, { weight: 1, arbitrary: idish() }),
        after: fc.oneof(
          fc.dictionary(fc.oneof(fc.constantFrom(...lots.map(String)), fc.string({ maxLength: 4 })), fc.oneof(fc.integer({ min: -2, max: 10 }), fc.double(), fc.string({ maxLength: 3 }))),
          // An inbox position (and not one, for subscribe).
          fc.oneof(fc.integer({ min: -2, max: 10 }), fc.double(), fc.constantFrom(2 ** 53, '1', null)),
        ),
        userId: fc.constantFrom(alice.id),
        token: fc.constant(alice.token),
        extra: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: ['op'] },
    )
    .map((f): Sent => ({ data: JSON.stringify(f), binary: false }));
const tooMany = fc.integer({ min: 1001, max: 1400 }).map((n): Sent => ({ data: JSON.stringify({ op: 'subscribe', auctions: Array.from({ length: n }, (_, i) => i + 1) }), binary: false }));
const frame = () =>
  fc.oneof(
    { weight: 10, arbitrary: ofFields() },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v): Sent => ({ data: JSON.stringify(v) ?? 'null', binary: false })) },
    { weight: 2, arbitrary: fc.string({ maxLength: 200 }).map((s): Sent => ({ data: s, binary: false })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 100 }).map((b): Sent => ({ data: Buffer.from(b), binary: true })) },
    { weight: 1, arbitrary: tooMany },
  );

describe('WebSocket fuzzing', () => {
  it('answers every random frame, keeps the socket open, never 1011, and moves no money', async () => {
    const before = await snapshot(t.daemon.context.sql);
    const tally = { sockets: 0, frames: 0, errors: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(frame(), { minLength: 1, maxLength: 15 }), fc.boolean(), async (frames, withToken) => {
        const w = await openWatcher(t.daemon.url, withToken ? { token: alice.token } : {});
        try {
          for (const f of frames) w.ws.send(f.data, { binary: f.binary });
          w.ws.send(JSON.stringify({ op: 'ping' }));
          // Frames are answered in order: the last pong means every frame before it was handled.
          const answers = () => w.frames.filter((x) => ANSWERS.has(x.type));
          await w.until((fs) => fs.some((x) => x.type === 'pong') && answers().length >= frames.length + 1, 10_000, 'an answer to every frame');
          expect(w.ws.readyState).toBe(WebSocket.OPEN);
          for (const x of w.frames) {
            expect(KNOWN.has(x.type), JSON.stringify(x)).toBe(true);
            if (x.type === 'error') {
              expect(FRAME_ERRORS.has(x.code), JSON.stringify(x)).toBe(true);
              expect(x.message).toMatch(/\w/);
            }
          }
          tally.sockets++;
          tally.frames += frames.length + 1;
          tally.errors += w.frames.filter((x) => x.type === 'error').length;
        } finally {
          await w.close();
        }
      }),
      { numRuns: soak(200, 20_000), interruptAfterTimeLimit: soak(60_000, 1_200_000) },
    );
    expect(tally.sockets).toBeGreaterThan(0);
    expect(await snapshot(t.daemon.context.sql)).toEqual(before);
    expect((await t.daemon.admin.health()).ok).toBe(true);
    report({
      fault: 'random WebSocket frames (ops, ids, fields, JSON, text, binary)',
      operations: tally.frames,
      checked: `${tally.sockets} sockets; every frame answered (${tally.errors} error frames), socket kept open, no 1011; money unchanged`,
      lost: 0,
    });
  }, soak(120_000, 1_800_000));

  it('answers random upgrade requests 101 or with a 4xx in the error shape', async () => {
    const { hostname, port } = new URL(t.daemon.url);
    // Anything but a line break (which would end the header, or the head).
    const line = fc.oneof(fc.string({ maxLength: 30 }).map((x) => x.replace(/[\r\n]/g, '')), fc.stringMatching(/^[\x21-\x7e]{0,30}$/));
    const upgrade = fc.record({
      method: fc.oneof({ weight: 6, arbitrary: fc.constant('GET') }, { weight: 1, arbitrary: fc.constantFrom('POST', 'PUT', 'OPTIONS') }),
      path: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('/v1/ws', '/v1/ws/', `/v1/ws?token=${alice.token}`) },
        { weight: 1, arbitrary: fc.constantFrom('/v1/ws?token=', `/v1/ws?token=nb_u${alice.id}_x`, '/v1/wss', '/', '/v1/ws?x=%zz') },
      ),
      upgrade: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('websocket', 'WebSocket') }, { weight: 1, arbitrary: fc.constantFrom('h2c', 'websocket, foo', '') }),
      connection: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('Upgrade', 'upgrade, keep-alive') }, { weight: 1, arbitrary: fc.constant('close') }),
      key: fc.oneof({ weight: 6, arbitrary: fc.constant(randomBytes(16).toString('base64')) }, { weight: 1, arbitrary: fc.constant(randomBytes(15).toString('base64')) }, { weight: 1, arbitrary: line }),
      version: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('13', '8') }, { weight: 1, arbitrary: fc.constantFrom('12', '', 'x', '13, 8') }),
      authorization: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.constantFrom(`Bearer ${alice.token}`, `Bearer ${t.daemon.adminToken}`, 'Bearer nope', 'Basic x') }, { weight: 1, arbitrary: line }),
      extensions: fc.oneof(fc.constant(undefined), fc.constantFrom('permessage-deflate', 'permessage-deflate; client_max_window_bits', 'x; y=;'), line),
      protocol: fc.oneof(fc.constant(undefined), fc.constantFrom('chat', 'a, b', ',,'), line),
    });
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(upgrade, async (u) => {
        const headers = [
          `${u.method} ${u.path} HTTP/1.1`, `Host: ${hostname}:${port}`, `Upgrade: ${u.upgrade}`, `Connection: ${u.connection}`,
          `Sec-WebSocket-Key: ${u.key}`, `Sec-WebSocket-Version: ${u.version}`,
          ...(u.authorization !== undefined ? [`Authorization: ${u.authorization}`] : []),
          ...(u.extensions !== undefined ? [`Sec-WebSocket-Extensions: ${u.extensions}`] : []),
          ...(u.protocol !== undefined ? [`Sec-WebSocket-Protocol: ${u.protocol}`] : []),
        ];
        const answer = await rawExchange(hostname, Number(port), `${headers.join('\r\n')}\r\n\r\n`);
        const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1]);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(status, answer.slice(0, 300)).toBeGreaterThanOrEqual(101);
        expect(status).toBeLessThan(500);
        if (status >= 400) {
          const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
          expect(isErrorCode(body.error?.code), answer.slice(0, 300)).toBe(true);
          expect(errorCodes[body.error.code as keyof typeof errorCodes].status).toBe(status);
        }
      }),
      { numRuns: soak(300, 30_000), interruptAfterTimeLimit: soak(60_000, 600_000) },
    );
    expect((await t.daemon.admin.health()).ok).toBe(true);
    const seen = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${n}×${s}`).join(', ');
    report({
      fault: 'random WebSocket upgrade requests (methods, paths, tokens, keys, versions, extensions)',
      operations: [...statuses.values()].reduce((s, n) => s + n, 0),
      checked: `answers ${seen}; every refusal in the error shape with its code's status`,
      lost: 0,
    });
  }, soak(120_000, 900_000));

  it('takes a frame of exactly the limit, closes 1009 past it and 1007 on text that is not UTF-8', async () => {
    const limit = t.daemon.sockets.limits.maxPayloadBytes;
    const w = await openWatcher(t.daemon.url);
    const atLimit = JSON.stringify({ op: 'ping', pad: '' }).replace('""', `"${'x'.repeat(limit - 22)}"`);
    expect(Buffer.byteLength(atLimit)).toBe(limit);
    w.ws.send(atLimit);
    await w.until((f) => f.some((x): x is Extract<ServerFrame, { type: 'error' }> => x.type === 'error'), 10_000, 'an error frame');
    expect(w.ws.readyState).toBe(WebSocket.OPEN);
    w.ws.send(`${atLimit} `);
    expect((await w.closed).code).toBe(1009);

    const u = await openWatcher(t.daemon.url);
    u.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await u.closed).code).toBe(1007);
    expect((await t.daemon.admin.health()).ok).toBe(true);
    await expectAuditClean(t.daemon.admin);
  });
});

/** Writes a request on a fresh connection; resolves with the first answer: a 101 head, or a head and its body. */
function rawExchange(host: string, port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => socket.write(request));
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 10 s to:\n${request}`));
    }, 10_000);
    socket.on('data', (c: Buffer) => {
      answer += c.toString('latin1');
      const end = answer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(answer.slice(0, end))?.[1] ?? 0);
      if (answer.startsWith('HTTP/1.1 101') || answer.length >= end + 4 + length) socket.destroy();
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.on('error', () => {});
  });
}

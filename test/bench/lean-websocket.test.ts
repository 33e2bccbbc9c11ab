// The bench watchers' WebSocket client, against a real TCP server speaking
// the daemon's side of the protocol: the handshake's accept key checked, text
// frames of every header size handed over intact however the bytes are cut
// into reads, pings answered, and the daemon's close code reported.
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameSplitter, LeanSocket } from '../../bench/watchers/lean-websocket.js';
import { textFrame } from '../../src/daemon/hub/ws-frame.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

/**
 * A server that answers the upgrade (its accept key computed from the client's, or a wrong one; `withAnswer`
 * written in the same write) and hands the socket to `then`.
 */
async function serve(then: (socket: Socket, fromClient: AsyncIterator<Buffer>) => Promise<void>, o: { wrongKey?: boolean; withAnswer?: Buffer } = {}): Promise<URL> {
  server = createServer((socket) => {
    let head = Buffer.alloc(0);
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onHead);
      const key = /sec-websocket-key: *(\S+)/i.exec(head.toString('latin1', 0, end))![1]!;
      const accept = createHash('sha1').update((o.wrongKey ? 'x' : '') + key + GUID).digest('base64');
      const answer = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
      socket.write(Buffer.concat([Buffer.from(answer), o.withAnswer ?? Buffer.alloc(0)]));
      void then(socket, socket[Symbol.asyncIterator]());
    };
    socket.on('data', onHead);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  return new URL(`ws://127.0.0.1:${(server!.address() as AddressInfo).port}/ws`);
}

/** Writes `bytes` a few at a time, each write flushed before the next, so that frames and headers are cut across reads. */
async function writeInPieces(socket: Socket, bytes: Buffer, piece: number): Promise<void> {
  for (let i = 0; i < bytes.length; i += piece) {
    await new Promise<void>((ok, fail) => socket.write(bytes.subarray(i, i + piece), (err) => (err ? fail(err) : ok())));
  }
}

/** The unmasked opcode and payload of the first frame from the client in `bytes` (whole frames expected). */
function clientFrame(bytes: Buffer): { opcode: number; payload: Buffer } {
  const len = bytes[1]! & 0x7f;
  const mask = bytes.subarray(2, 6);
  const payload = Buffer.from(bytes.subarray(6, 6 + len));
  for (let i = 0; i < len; i++) payload[i]! ^= mask[i & 3]!;
  return { opcode: bytes[0]! & 0x0f, payload };
}

describe('FrameSplitter', () => {
  it('cuts the same frames out of the bytes however they are cut into reads of one reused buffer', () => {
    const texts = ['{"type":"welcome"}', 'x'.repeat(300), 'é€😀'.repeat(8000), ''];
    const ping = Buffer.from([0x89, 2, 0x68, 0x69]);
    const close = Buffer.from([0x88, 2, 0x0f, 0xa1]);
    const stream = Buffer.concat([textFrame(texts[0]!), ping, textFrame(texts[1]!), textFrame(texts[2]!), textFrame(texts[3]!), close]);
    const want = [...texts.slice(0, 1), 'ping hi', ...texts.slice(1), 'close 4001'];
    for (const piece of [1, 2, 3, 5, 7, 64, 4093, stream.length]) {
      const got: string[] = [];
      const splitter = new FrameSplitter({
        text: (buf, start, end) => got.push(buf.toString('utf8', start, end)),
        ping: (payload) => got.push(`ping ${payload.toString()}`),
        close: (code) => got.push(`close ${code}`),
        masked: () => got.push('masked'),
        odd: (what) => got.push(what),
      });
      // As the socket's read buffer: each read lands at its start, over the last one, and is scribbled over once handed over.
      const readBuffer = Buffer.alloc(piece);
      for (let i = 0; i < stream.length; i += piece) {
        const n = stream.copy(readBuffer, 0, i, i + piece);
        splitter.read(readBuffer, 0, n);
        readBuffer.fill(0xff);
      }
      expect(got, `reads of ${piece} bytes`).toEqual(want);
    }
  });

  it('stops at a frame masked by the server, and reports a fragmented or binary one', () => {
    const got: string[] = [];
    const splitter = new FrameSplitter({
      text: (buf, start, end) => got.push(buf.toString('utf8', start, end)),
      ping: () => got.push('ping'),
      close: () => got.push('close'),
      masked: () => got.push('masked'),
      odd: (what) => got.push(what),
    });
    const bytes = Buffer.concat([Buffer.from([0x01, 1, 0x61]), Buffer.from([0x82, 1, 0x62]), Buffer.from([0x81, 0x81, 0, 0, 0, 0, 0x63]), textFrame('never')]);
    splitter.read(bytes, 0, bytes.length);
    expect(got).toEqual(['fragmented frame', 'opcode 2', 'masked']);
  });
});

describe('LeanSocket', () => {
  it('hands over every text frame intact however its bytes are cut, answers a ping, and reports the close code', async () => {
    const texts = ['{"type":"welcome"}', 'x'.repeat(300), 'é€😀'.repeat(20_000)];
    let pong: { opcode: number; payload: Buffer } | undefined;
    const url = await serve(async (socket, fromClient) => {
      const ping = Buffer.from([0x89, 2, 0x68, 0x69]);
      await writeInPieces(socket, Buffer.concat([textFrame(texts[0]!), textFrame(texts[1]!), ping]), 3);
      await writeInPieces(socket, textFrame(texts[2]!), 4093);
      pong = clientFrame((await fromClient.next()).value as Buffer);
      const close = Buffer.from([0x88, 2, 0, 0]);
      close.writeUInt16BE(4001, 2);
      socket.end(close);
    });
    const got: string[] = [];
    const odd: string[] = [];
    let closed!: (code: number) => void;
    const code = new Promise<number>((ok) => (closed = ok));
    const ws = new LeanSocket(url, { text: (buf, start, end) => got.push(buf.toString('utf8', start, end)), odd: (w) => odd.push(w), closed });
    await ws.open(5000);
    expect(await code).toBe(4001);
    expect(got).toEqual(texts);
    expect(pong).toEqual({ opcode: 0xa, payload: Buffer.from('hi') });
    expect(odd).toEqual([]);
  });

  it('hands over frames written together with the upgrade answer', async () => {
    const frames = Buffer.concat([textFrame('{"a":1}'), textFrame('{"b":2}'), Buffer.from([0x88, 2, 0x03, 0xe8])]);
    const url = await serve(async (socket) => void socket.end(), { withAnswer: frames });
    const got: string[] = [];
    let closed!: (code: number) => void;
    const code = new Promise<number>((ok) => (closed = ok));
    const ws = new LeanSocket(url, { text: (buf, start, end) => got.push(buf.toString('utf8', start, end)), odd: () => undefined, closed });
    await ws.open(5000);
    expect(await code).toBe(1000);
    expect(got).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('refuses an upgrade whose accept key is wrong', async () => {
    const url = await serve(async () => undefined, { wrongKey: true });
    const ws = new LeanSocket(url, { text: () => undefined, odd: () => undefined, closed: () => undefined });
    await expect(ws.open(5000)).rejects.toThrow(/upgrade refused/);
  });
});

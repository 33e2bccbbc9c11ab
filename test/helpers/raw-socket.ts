// A WebSocket client written by hand on a TCP socket, for tests that need a
// peer that stops reading: the handshake, then masked text frames out and
// nothing read back while paused.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawSocket {
  socket: Socket;
  sendText(text: string): boolean;
  /** Sends a ping control frame (the daemon answers each with a pong). */
  sendPing(): boolean;
  /** Resolves when the connection has ended (closed by the daemon or the test). */
  ended: Promise<void>;
  /** Bytes read so far (including the handshake answer). */
  bytesRead(): number;
}

/** Connects and upgrades to /v1/ws; resolves after the 101 answer. */
export async function openRawSocket(baseUrl: string): Promise<RawSocket> {
  const u = new URL(baseUrl);
  const socket = connect(Number(u.port), u.hostname);
  socket.on('error', () => {});
  const ended = new Promise<void>((r) => socket.once('close', () => r()));
  let read = 0;
  await new Promise<void>((ok, fail) => {
    let head = '';
    const onData = (c: Buffer) => {
      read += c.length;
      head += c.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101')) fail(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
      else ok();
    };
    socket.on('data', onData);
    socket.once('connect', () =>
      socket.write(
        `GET /v1/ws HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
  });
  socket.on('data', (c: Buffer) => (read += c.length));
  return {
    socket,
    ended,
    bytesRead: () => read,
    sendText(text) {
      return socket.write(maskedFrame(0x81, Buffer.from(text)));
    },
    sendPing() {
      return socket.write(maskedFrame(0x89, Buffer.from('ping')));
    },
  };
}

/** A masked frame: `first` is FIN and the opcode (0x81 text, 0x89 ping). */
function maskedFrame(first: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  let header: Buffer;
  if (payload.length < 126) header = Buffer.from([first, 0x80 | payload.length]);
  else if (payload.length <= 0xffff) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  const body = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) body[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([header, mask, body]);
}

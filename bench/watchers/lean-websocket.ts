// A WebSocket client cut down to what a load-test watcher needs, on a plain
// TCP socket: the handshake (its accept key checked), unmasked frames from
// the daemon handed over as Buffer slices without copying or decoding, masked
// frames out, pings answered. Nothing else: a frame it does not expect
// (fragmented, binary, masked by the server) is reported, not handled.
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface LeanSocketHandlers {
  /** One text frame's payload (a view into the read buffer: use it before returning). */
  text(payload: Buffer): void;
  /** A frame this client does not handle. */
  odd(what: string): void;
  /** The connection ended after opening: the close code sent by the daemon, or 1006 without one. */
  closed(code: number): void;
}

function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? 2 : len <= 0xffff ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + 4 + len);
  frame[0] = 0x80 | opcode;
  if (len < 126) frame[1] = 0x80 | len;
  else if (len <= 0xffff) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    frame.writeUInt32BE(len >>> 0, 6);
  }
  mask.copy(frame, head);
  for (let i = 0; i < len; i++) frame[head + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

export class LeanSocket {
  private socket: Socket | undefined;
  private pending: Buffer | undefined;
  private closeCode = 1006;
  private opened = false;

  constructor(
    private readonly url: URL,
    private readonly on: LeanSocketHandlers,
  ) {}

  /** Connects and upgrades; rejects on a refused upgrade or after `timeoutMs`. */
  open(timeoutMs: number): Promise<void> {
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    const socket = connect(Number(this.url.port), this.url.hostname);
    this.socket = socket;
    socket.setNoDelay(true);
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => {
        socket.destroy();
        fail(new Error(`no upgrade in ${timeoutMs} ms`));
      }, timeoutMs);
      let head = Buffer.alloc(0);
      const onHandshake = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        clearTimeout(timer);
        socket.off('data', onHandshake);
        const text = head.toString('latin1', 0, end);
        if (!text.startsWith('HTTP/1.1 101') || !new RegExp(`^sec-websocket-accept: *${accept.replace(/[+/=]/g, '\\$&')}\\s*$`, 'im').test(text)) {
          socket.destroy();
          fail(new Error(`upgrade refused: ${text.split('\r\n')[0]}`));
          return;
        }
        this.opened = true;
        socket.on('data', (c: Buffer) => this.read(c));
        socket.once('close', () => this.on.closed(this.closeCode));
        const rest = head.subarray(end + 4);
        if (rest.length) this.read(Buffer.from(rest));
        ok();
      };
      socket.on('data', onHandshake);
      socket.on('error', (err) => {
        if (!this.opened) {
          clearTimeout(timer);
          fail(err);
        }
      });
      socket.once('connect', () =>
        socket.write(
          `GET ${this.url.pathname} HTTP/1.1\r\nHost: ${this.url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        ),
      );
    });
  }

  sendText(text: string): void {
    this.socket?.write(maskedFrame(0x1, Buffer.from(text)));
  }

  /** Sends a close frame (1000) and ends the connection. */
  close(): void {
    const s = this.socket;
    if (!s || s.destroyed) return;
    const code = Buffer.alloc(2);
    code.writeUInt16BE(1000);
    s.end(maskedFrame(0x8, code));
  }

  destroy(): void {
    this.socket?.destroy();
  }

  get isClosed(): boolean {
    return !this.socket || this.socket.destroyed;
  }

  private read(chunk: Buffer): void {
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let at = 0;
    while (buf.length - at >= 2) {
      const b0 = buf[at]!;
      const b1 = buf[at + 1]!;
      let len = b1 & 0x7f;
      let head = 2;
      if (len === 126) {
        if (buf.length - at < 4) break;
        len = buf.readUInt16BE(at + 2);
        head = 4;
      } else if (len === 127) {
        if (buf.length - at < 10) break;
        len = buf.readUInt32BE(at + 2) * 2 ** 32 + buf.readUInt32BE(at + 6);
        head = 10;
      }
      if (b1 & 0x80) {
        this.on.odd('masked frame from the server');
        this.destroy();
        return;
      }
      if (buf.length - at < head + len) break;
      const payload = buf.subarray(at + head, at + head + len);
      at += head + len;
      const opcode = b0 & 0x0f;
      if (!(b0 & 0x80)) this.on.odd('fragmented frame');
      else if (opcode === 0x1) this.on.text(payload);
      else if (opcode === 0x9) this.socket?.write(maskedFrame(0xa, payload));
      else if (opcode === 0x8) this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      else if (opcode !== 0xa) this.on.odd(`opcode ${opcode}`);
    }
    // Keep a partial frame for the next chunk (copied: the chunk's memory is not ours to keep).
    if (at < buf.length) this.pending = Buffer.from(buf.subarray(at));
  }
}

// A WebSocket client cut down to what a load-test watcher needs, on a plain
// TCP socket: the handshake (its accept key checked), unmasked frames from
// the daemon handed over where they lie, without copying or decoding, masked
// frames out, pings answered. Nothing else: a frame it does not expect
// (fragmented, binary, masked by the server) is reported, not handled. It
// reads straight into a buffer of its own rather than through the socket's
// stream (no Buffer and no 'data' event per read), and asked to (`batch`)
// it asks the daemon for batch frames, left to the caller to unroll.
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * Every socket of the process reads into this one buffer (net's `onread`:
 * no Buffer made and no stream event per read); a frame is handed over as a
 * view into it, and the unfinished end of a read is copied out.
 */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

export interface LeanSocketHandlers {
  /** One text frame's payload: buf[start, end), in the read buffer (use it before returning). */
  text(buf: Buffer, start: number, end: number): void;
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

export interface FrameHandlers {
  /** A text frame's payload, buf[start, end): a view (use it before returning). */
  text(buf: Buffer, start: number, end: number): void;
  /** A ping's payload (a view). */
  ping(payload: Buffer): void;
  /** A close frame's code (1005 without one). */
  close(code: number): void;
  /** A frame masked by the server: the stream cannot be trusted further, and nothing more is read. */
  masked(): void;
  odd(what: string): void;
}

/**
 * Cuts the bytes from the server, read after read, into frames. A read's
 * bytes are views into a buffer the next read overwrites: a frame cut by the
 * end of a read is copied out until the rest comes.
 */
export class FrameSplitter {
  private pending: Buffer | undefined;

  constructor(private readonly on: FrameHandlers) {}

  /** Frames from buf[from, to), after what was left unfinished by the last read. */
  read(chunk: Buffer, from: number, to: number): void {
    let buf = chunk;
    let at = from;
    let end = to;
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk.subarray(from, to)]);
      at = 0;
      end = buf.length;
      this.pending = undefined;
    }
    while (end - at >= 2) {
      const b0 = buf[at]!;
      const b1 = buf[at + 1]!;
      let len = b1 & 0x7f;
      let head = 2;
      if (len === 126) {
        if (end - at < 4) break;
        len = buf.readUInt16BE(at + 2);
        head = 4;
      } else if (len === 127) {
        if (end - at < 10) break;
        len = buf.readUInt32BE(at + 2) * 2 ** 32 + buf.readUInt32BE(at + 6);
        head = 10;
      }
      if (b1 & 0x80) {
        this.on.masked();
        return;
      }
      if (end - at < head + len) break;
      const start = at + head;
      at = start + len;
      const opcode = b0 & 0x0f;
      if (!(b0 & 0x80)) this.on.odd('fragmented frame');
      else if (opcode === 0x1) this.on.text(buf, start, at);
      else if (opcode === 0x9) this.on.ping(buf.subarray(start, at));
      else if (opcode === 0x8) this.on.close(len >= 2 ? buf.readUInt16BE(start) : 1005);
      else if (opcode !== 0xa) this.on.odd(`opcode ${opcode}`);
    }
    // Keep a partial frame for the next read (copied: the read buffer is reused).
    if (at < end) this.pending = Buffer.from(buf.subarray(at, end));
  }
}

export class LeanSocket {
  private socket: Socket | undefined;
  private closeCode = 1006;
  private readonly frames = new FrameSplitter({
    text: (buf, start, end) => this.on.text(buf, start, end),
    ping: (payload) => this.socket?.write(maskedFrame(0xa, payload)),
    close: (code) => (this.closeCode = code),
    masked: () => {
      this.on.odd('masked frame from the server');
      this.destroy();
    },
    odd: (what) => this.on.odd(what),
  });
  private opened = false;
  /** Before the upgrade: the response so far, and what to do with it once whole. */
  private handshake: ((head: Buffer) => void) | undefined;
  private head = Buffer.alloc(0);

  constructor(
    private readonly url: URL,
    private readonly on: LeanSocketHandlers,
    /** Ask the daemon for batch frames (`?batch=1`). */
    options: { batch?: boolean } = {},
  ) {
    if (options.batch) {
      this.url = new URL(url);
      this.url.searchParams.set('batch', '1');
    }
  }

  /** Connects and upgrades; rejects on a refused upgrade or after `timeoutMs`. */
  open(timeoutMs: number): Promise<void> {
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    const socket = connect({
      port: Number(this.url.port),
      host: this.url.hostname,
      onread: { buffer: READ_BUFFER, callback: (n: number, buf: Uint8Array) => this.received(buf as Buffer, n) },
    });
    this.socket = socket;
    socket.setNoDelay(true);
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => {
        socket.destroy();
        fail(new Error(`no upgrade in ${timeoutMs} ms`));
      }, timeoutMs);
      this.handshake = (head) => {
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        clearTimeout(timer);
        this.handshake = undefined;
        this.head = Buffer.alloc(0);
        const text = head.toString('latin1', 0, end);
        if (!text.startsWith('HTTP/1.1 101') || !new RegExp(`^sec-websocket-accept: *${accept.replace(/[+/=]/g, '\\$&')}\\s*$`, 'im').test(text)) {
          socket.destroy();
          fail(new Error(`upgrade refused: ${text.split('\r\n')[0]}`));
          return;
        }
        this.opened = true;
        socket.once('close', () => this.on.closed(this.closeCode));
        if (end + 4 < head.length) this.frames.read(head, end + 4, head.length);
        ok();
      };
      socket.on('error', (err) => {
        if (!this.opened) {
          clearTimeout(timer);
          fail(err);
        }
      });
      socket.once('connect', () =>
        socket.write(
          `GET ${this.url.pathname}${this.url.search} HTTP/1.1\r\nHost: ${this.url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
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

  /** `n` bytes read into `buf` (the shared read buffer); true: go on reading. */
  private received(buf: Buffer, n: number): boolean {
    if (this.handshake) {
      // Copied: the read buffer is reused by the next read.
      this.head = Buffer.concat([this.head, buf.subarray(0, n)]);
      this.handshake(this.head);
    } else if (this.opened) this.frames.read(buf, 0, n);
    return true;
  }
}

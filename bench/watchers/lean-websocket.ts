// A WebSocket client cut down to what a load-test watcher needs, on a plain
// TCP socket: the handshake (its accept key checked), unmasked frames from
// the daemon handed over as Buffer slices without copying or decoding, masked
// frames out, pings answered. Nothing else: a frame it does not expect
// (fragmented, binary, masked by the server) is reported, not handled. Asked
// to (`batch`), it takes batch frames and hands over each frame in them as if
// it had come alone, split on the JSON's own brackets without parsing it.
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** How every batch frame from the daemon begins (src/daemon/hub/ws-frame.ts), and how each frame in it does. */
const BATCH_OPEN = Buffer.from('{"type":"batch","frames":[');
const TYPE_OPEN = Buffer.from('{"type":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const CLOSE_BRACKET = 0x5d;

/**
 * Frames whose JSON is one flat object whose strings hold no brace (times,
 * statuses, types): such a frame ends at the first `}` after its start. The
 * others (snapshots and their titles, replies, errors) are scanned in full.
 */
const FLAT_TYPES = new Set(['bid', 'extended', 'sold', 'closed', 'cancelled', 'outbid', 'balance', 'pong', 'subscribed', 'unsubscribed']);

/** Where the frame starting at `start` ends (the index after its last `}`), brackets counted outside strings; -1 if it does not. */
function scanFrame(payload: Buffer, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < payload.length; i++) {
    const c = payload[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === 0x5b /* [ */) depth++;
    else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i + 1;
  }
  return -1;
}

/** Where the flat frame starting at `start` ends, or -1 when it is not one of the flat types. */
function flatFrameEnd(payload: Buffer, start: number): number {
  if (payload.compare(TYPE_OPEN, 0, TYPE_OPEN.length, start, start + TYPE_OPEN.length) !== 0) return -1;
  const typeStart = start + TYPE_OPEN.length;
  const typeEnd = payload.indexOf(QUOTE, typeStart);
  if (typeEnd < 0 || !FLAT_TYPES.has(payload.toString('latin1', typeStart, typeEnd))) return -1;
  const close = payload.indexOf(CLOSE_BRACE, typeEnd);
  const nested = payload.indexOf(OPEN_BRACE, typeEnd);
  // Nothing nested before the brace, and the frame is followed by the next one or the end of the list.
  if (close < 0 || (nested !== -1 && nested < close)) return -1;
  const next = payload[close + 1];
  return next === COMMA || next === CLOSE_BRACKET ? close + 1 : -1;
}

/**
 * Calls `each` with every frame in a batch frame's `frames` array (views into
 * `payload`) and returns true; false when the payload is not a batch. Event
 * frames are flat and end at their first `}`; any other frame is scanned to
 * the bracket that closes it, outside strings. Nothing is parsed.
 */
export function eachInBatch(payload: Buffer, each: (frame: Buffer) => void): boolean {
  if (payload.length < BATCH_OPEN.length || payload.compare(BATCH_OPEN, 0, BATCH_OPEN.length, 0, BATCH_OPEN.length) !== 0) return false;
  let at = BATCH_OPEN.length;
  while (at < payload.length && payload[at] === OPEN_BRACE) {
    let end = flatFrameEnd(payload, at);
    if (end < 0) end = scanFrame(payload, at);
    if (end < 0) break;
    each(payload.subarray(at, end));
    // Past the comma between frames (or onto the closing bracket, which ends the loop).
    at = payload[end] === COMMA ? end + 1 : end;
  }
  return true;
}

export interface LeanSocketHandlers {
  /** One text frame's payload, or one frame of a batch (a view into the read buffer: use it before returning). */
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

  private readonly batch: boolean;
  private readonly emit = (frame: Buffer) => this.on.text(frame);

  constructor(
    private readonly url: URL,
    private readonly on: LeanSocketHandlers,
    /** Ask the daemon for batch frames (`?batch=1`) and unroll them. */
    options: { batch?: boolean } = {},
  ) {
    this.batch = options.batch ?? false;
    if (this.batch) {
      this.url = new URL(url);
      this.url.searchParams.set('batch', '1');
    }
  }

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
      else if (opcode === 0x1) {
        if (!this.batch || !eachInBatch(payload, this.emit)) this.on.text(payload);
      }
      else if (opcode === 0x9) this.socket?.write(maskedFrame(0xa, payload));
      else if (opcode === 0x8) this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      else if (opcode !== 0xa) this.on.odd(`opcode ${opcode}`);
    }
    // Keep a partial frame for the next chunk (copied: the chunk's memory is not ours to keep).
    if (at < buf.length) this.pending = Buffer.from(buf.subarray(at));
  }
}

// Server-to-client WebSocket frames, built once and written as they are.
// A server's frames are not masked, so one event's frame is the same bytes for
// every socket that watches it: the hub frames it once (header and JSON in one
// Buffer) and each socket only queues that Buffer. Handing the payload to
// `ws` instead would build a header and make two stream writes per socket.
// A socket that asked for batches gets the frames of one turn in one batch
// frame, made by copying their JSON bytes between a fixed head and tail.
import { BATCH_OPENING } from '../../protocol/frames.js';

/** Bytes of the header of an unmasked frame carrying `n` payload bytes. */
function headerLength(n: number): number {
  return n < 126 ? 2 : n < 65_536 ? 4 : 10;
}

/** Writes the header of a text frame of `n` payload bytes at the start of `frame`; returns its length. */
function writeHeader(frame: Buffer, n: number): number {
  frame[0] = 0x81;
  if (n < 126) {
    frame[1] = n;
    return 2;
  }
  if (n < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
    return 4;
  }
  frame[1] = 127;
  frame.writeBigUInt64BE(BigInt(n), 2);
  return 10;
}

/** The frame of one text message (FIN, opcode 1, unmasked) carrying `json`. */
export function textFrame(json: string): Buffer {
  const n = Buffer.byteLength(json);
  const frame = Buffer.allocUnsafe(headerLength(n) + n);
  frame.write(json, writeHeader(frame, n), 'utf8');
  return frame;
}

/** Where the payload of a frame made here starts (the length of its header). */
function payloadStart(frame: Buffer): number {
  const len = frame[1]! & 0x7f;
  return len < 126 ? 2 : len === 126 ? 4 : 10;
}

/** The payload bytes of a frame made here (a view, not a copy). */
export function payloadOf(frame: Buffer): Buffer {
  return frame.subarray(payloadStart(frame));
}

const BATCH_OPEN = Buffer.from(BATCH_OPENING);
const BATCH_CLOSE = Buffer.from(']}');

/** Gives `n` bytes to build into (a view of a shared buffer, or new ones). */
export type Alloc = (n: number) => Buffer;

/**
 * One text frame holding `{"type":"batch","frames":[…]}` with the JSON of each
 * of `frames` (frames made here) copied in as it is: nothing is parsed or
 * serialised again, so a batch costs a copy of the bytes, into `alloc`'s buffer.
 */
export function batchFrame(frames: readonly Buffer[], alloc: Alloc = Buffer.allocUnsafe): Buffer {
  // The commas between the frames: one fewer than the frames, none for none.
  let n = BATCH_OPEN.length + BATCH_CLOSE.length + Math.max(0, frames.length - 1);
  for (const f of frames) n += f.length - payloadStart(f);
  const size = headerLength(n) + n;
  const out = alloc(size);
  const head = writeHeader(out, n);
  // Each frame is copied whole, header and all, placed so that its payload
  // lands where it belongs: copying part of a Buffer makes a view object per
  // frame, and at 200,000 deliveries a second those were most of the daemon's
  // garbage. A frame's header covers the bytes just before its payload (the
  // comma and the end of the frame before it), so the frames go in from the
  // last to the first, and each comma after the frame that covered it.
  let end = size - BATCH_CLOSE.length;
  out.set(BATCH_CLOSE, end);
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i]!;
    const header = payloadStart(f);
    const start = end - (f.length - header);
    out.set(f, start - header);
    if (i < frames.length - 1) out[end] = 0x2c; // ,
    end = start - 1;
  }
  // The first frame's header fell inside the opening, which goes in last.
  out.set(BATCH_OPEN, head);
  return out;
}

/** `frames` back to back, `bytes` in all, in `alloc`'s buffer. */
export function joinedFrames(frames: readonly Buffer[], bytes: number, alloc: Alloc = Buffer.allocUnsafe): Buffer {
  const out = alloc(bytes);
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

/** A JSON value as one text frame. */
export function jsonFrame(value: unknown): Buffer {
  return textFrame(JSON.stringify(value));
}

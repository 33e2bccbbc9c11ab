// Reads the fields a watcher checks — type, auction, version, at, bidId — out
// of an event frame's bytes where they lie, without parsing the JSON. A
// watcher process receives well over 100,000 frames a second on a machine
// whose two cores also run the daemon and PostgreSQL; a full JSON.parse of
// each costs it more than the check itself. Only flat frames are read so
// (event types, whose JSON is one object with no nested object and whose
// strings — times, statuses, types — hold no brace or quote); the caller
// parses any other frame in full, and cross-checks these fields against a
// full parse of a sample of the frames.

import { CLOSE_BRACE, COLON, COMMA, OPEN_BRACE, QUOTE } from './json-bytes.js';

/** The checked fields of one event frame (one object, reused from frame to frame). */
export interface EventFields {
  type: string;
  auction: number;
  version: number;
  /** The event's `at` (commit time) in epoch ms; NaN without one. */
  at: number;
  /** The bid's id, for bid events; NaN without one. */
  bidId: number;
}

/** A fresh fields object to read into. */
export const newEventFields = (): EventFields => ({ type: '', auction: NaN, version: NaN, at: NaN, bidId: NaN });

/** The first byte of "version" (found natively, then checked as the key). */
const V = 0x76;

/** The frame types whose JSON is flat, as the protocol defines them (src/protocol/events.ts, frames.ts). */
const FLAT_TYPES = ['bid', 'extended', 'sold', 'closed', 'cancelled', 'outbid', 'balance', 'pong', 'subscribed', 'unsubscribed'];
const FLAT_TYPE_BYTES = FLAT_TYPES.map((t) => Buffer.from(t + '"'));

// In valid JSON the bytes `"name":` are always a key (a quote inside a string
// is escaped, so `e":` cannot occur in one), and in a frame with no nested
// object every key is one of the frame's own.
const AT = Buffer.from('"at":"');
const TYPE = Buffer.from('"type":"');
const BID_ID = Buffer.from('"bidId":');
const AUCTION = Buffer.from('"auction":');
const VERSION = Buffer.from('"version":');
const COMMA_BID_ID = Buffer.from(',"bidId":');

/** True when `key`'s bytes are at `at` in buf. */
function bytesAt(buf: Buffer, at: number, key: Buffer): boolean {
  if (at + key.length > buf.length) return false;
  for (let i = 0; i < key.length; i++) if (buf[at + i] !== key[i]) return false;
  return true;
}

/** The flat frame type named at `from` (just past its opening quote), as one of FLAT_TYPES; undefined for any other. */
function flatTypeAt(buf: Buffer, from: number): string | undefined {
  for (let t = 0; t < FLAT_TYPE_BYTES.length; t++) if (bytesAt(buf, from, FLAT_TYPE_BYTES[t]!)) return FLAT_TYPES[t];
  return undefined;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** The whole number written from `from` to `to` (digits only). */
function intOf(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (buf[i]! - 48);
  return n;
}

/** The whole number at `from`: digits, then the `,` or `}` after a value; NaN for anything else (a sign, a fraction, null…). */
function intAt(buf: Buffer, from: number): number {
  let to = from;
  while (to < buf.length && isDigit(buf[to]!)) to++;
  return to === from || (buf[to] !== COMMA && buf[to] !== CLOSE_BRACE) ? NaN : intOf(buf, from, to);
}

/** The last hour read ("2026-11-25T17", as bytes) and its epoch ms: events of one run share a few hours. */
const hour = Buffer.alloc(13);
let hourMs = NaN;

/** "2026-11-25T17:08:04.937Z" at `from` as epoch ms (the daemon's fixed format), else Date.parse of it. */
function isoAt(buf: Buffer, from: number): number {
  if (buf[from + 10] === 0x54 /* T */ && buf[from + 13] === COLON && buf[from + 16] === COLON && buf[from + 19] === 0x2e /* . */ && buf[from + 23] === 0x5a /* Z */ && buf[from + 24] === QUOTE) {
    if (!bytesAt(buf, from, hour)) {
      buf.copy(hour, 0, from, from + 13);
      hourMs = Date.UTC(intOf(buf, from, from + 4), intOf(buf, from + 5, from + 7) - 1, intOf(buf, from + 8, from + 10), intOf(buf, from + 11, from + 13));
    }
    return hourMs + intOf(buf, from + 14, from + 16) * 60_000 + intOf(buf, from + 17, from + 19) * 1000 + intOf(buf, from + 20, from + 23);
  }
  const end = buf.indexOf(QUOTE, from);
  return Date.parse(buf.toString('latin1', from, end));
}

/** Where `key` is in buf[start, end), or -1. */
function keyIn(buf: Buffer, start: number, end: number, key: Buffer): number {
  const i = buf.indexOf(key, start);
  return i >= 0 && i + key.length <= end ? i : -1;
}

/**
 * Reads the event frame that starts (with its `{`) at `start` into `out` and
 * returns the index just past its closing `}`; -1 when it is not a flat
 * event frame ending before `end` (one of the flat types, with a whole-number
 * auction and version and no nested object): the caller then parses it in
 * full. Where the daemon's key order (PostgreSQL's jsonb: "at", "type",
 * "bidId" first, "version" just after "auction") puts a key, it is checked
 * in place; else it is looked for within the frame.
 */
export function readEvent(buf: Buffer, start: number, end: number, out: EventFields): number {
  const close = buf.indexOf(CLOSE_BRACE, start + 1);
  if (close < 0 || close >= end) return -1;
  // No nested object: the last `{` before the close is the frame's own (searched back, not on into the buffer).
  if (buf.lastIndexOf(OPEN_BRACE, close) !== start) return -1;
  // `{"at":"2026-11-25T17:08:04.937Z","type":"…`: each where the daemon puts it, else anywhere in the frame.
  const ordered = bytesAt(buf, start + 1, AT) && buf[start + 31] === QUOTE && buf[start + 32] === COMMA && bytesAt(buf, start + 33, TYPE);
  const typeKey = ordered ? start + 33 : keyIn(buf, start, close, TYPE);
  if (typeKey < 0) return -1;
  const typeAt = typeKey + TYPE.length;
  const type = flatTypeAt(buf, typeAt);
  if (type === undefined) return -1;
  const typeEnd = typeAt + type.length + 1;
  // The version: at the first `v` that begins its key (a byte found natively, unlike a key), else anywhere in the frame.
  let versionKey = -1;
  for (let v = buf.indexOf(V, typeEnd); v >= 0 && v < close && versionKey < 0; v = buf.indexOf(V, v + 1)) {
    if (bytesAt(buf, v - 1, VERSION)) versionKey = v - 1;
  }
  if (versionKey < 0) versionKey = keyIn(buf, start, close, VERSION);
  if (versionKey < 0) return -1;
  const version = intAt(buf, versionKey + VERSION.length);
  // The auction: just before the version (`"auction":7,"version":`), else anywhere in the frame.
  let auction = NaN;
  const comma = versionKey - 1;
  let digits = comma;
  while (digits > start && isDigit(buf[digits - 1]!)) digits--;
  if (buf[comma] === COMMA && digits < comma && bytesAt(buf, digits - AUCTION.length, AUCTION)) auction = intOf(buf, digits, comma);
  else {
    const auctionKey = keyIn(buf, start, close, AUCTION);
    if (auctionKey >= 0) auction = intAt(buf, auctionKey + AUCTION.length);
  }
  if (Number.isNaN(auction) || Number.isNaN(version)) return -1;
  const atKey = ordered ? start + 1 : keyIn(buf, start, close, AT);
  const bidKey = bytesAt(buf, typeEnd, COMMA_BID_ID) ? typeEnd + 1 : keyIn(buf, start, close, BID_ID);
  out.type = type;
  out.auction = auction;
  out.version = version;
  out.at = atKey < 0 ? NaN : isoAt(buf, atKey + AT.length);
  out.bidId = bidKey < 0 ? NaN : intAt(buf, bidKey + BID_ID.length);
  return close + 1;
}

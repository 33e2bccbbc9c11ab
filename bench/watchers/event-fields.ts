// Reads the fields a watcher checks — type, auction, version, at, bidId — out
// of an event frame's bytes without parsing the whole JSON object. A watcher
// process receives well over 100,000 frames a second on a machine whose two
// cores also run the daemon and PostgreSQL; a full JSON.parse of each costs
// it more than the check itself. Snapshots (whose nested auction state also
// has a "version", and a title that may hold anything) are parsed in full,
// and the watcher cross-checks these fields against a full parse of a sample
// of the frames.

export interface EventFields {
  type: string;
  auction: number;
  version: number;
  /** The event's `at` (commit time) in epoch ms. */
  at: number;
  /** The bid's id, for bid events. */
  bidId?: number;
}

const QUOTE = 0x22;
const COLON = 0x3a;

/** The whole number at `from` (digits only); NaN when there is none. */
function intAt(buf: Buffer, from: number): number {
  let n = 0;
  let i = from;
  for (; i < buf.length; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
  }
  return i === from ? NaN : n;
}

const digits = (buf: Buffer, from: number, n: number) => {
  let v = 0;
  for (let i = from; i < from + n; i++) v = v * 10 + (buf[i]! - 48);
  return v;
};

/** "2026-11-25T17:08:04.937Z" at `from` as epoch ms (the daemon's fixed format), else Date.parse of it. */
function isoAt(buf: Buffer, from: number): number {
  if (buf[from + 10] === 0x54 /* T */ && buf[from + 23] === 0x5a /* Z */ && buf[from + 24] === QUOTE) {
    return Date.UTC(
      digits(buf, from, 4), digits(buf, from + 5, 2) - 1, digits(buf, from + 8, 2),
      digits(buf, from + 11, 2), digits(buf, from + 14, 2), digits(buf, from + 17, 2), digits(buf, from + 20, 3),
    );
  }
  const end = buf.indexOf(QUOTE, from);
  return Date.parse(buf.toString('latin1', from, end));
}

function isKey(buf: Buffer, start: number, end: number, key: string): boolean {
  if (end - start !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (buf[start + i] !== key.charCodeAt(i)) return false;
  return true;
}

/**
 * The checked fields of a frame, from one pass over its top-level keys (the
 * first of each name counts); undefined when it has no type, auction or
 * version. Event frames hold no string with a quote in it; a snapshot's
 * nested state may, so snapshots are to be parsed in full (type "snapshot").
 */
export function eventFields(buf: Buffer): EventFields | undefined {
  let type: string | undefined;
  let auction = NaN;
  let version = NaN;
  let at = NaN;
  let bidId = NaN;
  const n = buf.length;
  for (let i = 0; i < n; ) {
    if (buf[i] !== QUOTE) {
      i++;
      continue;
    }
    const start = i + 1;
    let end = start;
    while (end < n && buf[end] !== QUOTE) end++;
    i = end + 1;
    if (buf[i] !== COLON) continue; // a string value, not a key
    const value = i + 1;
    if (type === undefined && isKey(buf, start, end, 'type') && buf[value] === QUOTE) {
      const close = buf.indexOf(QUOTE, value + 1);
      type = buf.toString('latin1', value + 1, close);
      if (type === 'snapshot') break;
    } else if (Number.isNaN(auction) && isKey(buf, start, end, 'auction')) auction = intAt(buf, value);
    else if (Number.isNaN(version) && isKey(buf, start, end, 'version')) version = intAt(buf, value);
    else if (Number.isNaN(at) && isKey(buf, start, end, 'at') && buf[value] === QUOTE) at = isoAt(buf, value + 1);
    else if (Number.isNaN(bidId) && isKey(buf, start, end, 'bidId')) bidId = intAt(buf, value);
  }
  if (type === 'snapshot') return { type, auction: NaN, version: NaN, at: NaN };
  if (type === undefined || Number.isNaN(auction) || Number.isNaN(version)) return undefined;
  return Number.isNaN(bidId) ? { type, auction, version, at } : { type, auction, version, at, bidId };
}

// The notification one daemon sends the others after its commits: which
// auctions moved and up to which version (receivers read the events from the
// outbox), plus the private events for users who may be connected elsewhere.
// A NOTIFY payload must stay under 8000 bytes, so a flush packs into as many
// payloads as it needs.
import type { PrivateEvent } from '../../protocol/events.js';
import type { Addressed } from './private-events.js';

export const NOTIFY_CHANNEL = 'nb_events';
/** Room for one payload, below PostgreSQL's 8000-byte limit. */
export const MAX_DOORBELL_BYTES = 7800;

export interface Doorbell {
  /** The daemon that committed these events. */
  daemonId: string;
  /** [auction, highest committed version] pairs. */
  versions: [number, number][];
  privates: Addressed[];
}

/** Packs one flush into payloads of at most `max` bytes each. */
export function packDoorbells(daemonId: string, versions: Map<number, number>, privates: Addressed[], max = MAX_DOORBELL_BYTES): string[] {
  const head = `{"d":${JSON.stringify(daemonId)},"v":[`;
  const payloads: string[] = [];
  let v: string[] = [];
  let p: string[] = [];
  let size = head.length + 10;
  const flush = () => {
    if (v.length || p.length) payloads.push(`${head}${v.join(',')}],"p":[${p.join(',')}]}`);
    v = [];
    p = [];
    size = head.length + 10;
  };
  const add = (list: 'v' | 'p', piece: string) => {
    if (head.length + 10 + piece.length > max) return; // cannot fit anywhere: never the case for these small records
    if (size + piece.length + 1 > max) flush();
    (list === 'v' ? v : p).push(piece);
    size += piece.length + 1;
  };
  for (const [auction, version] of versions) add('v', `[${auction},${version}]`);
  for (const a of privates) add('p', JSON.stringify({ u: a.userId, e: a.event }));
  flush();
  return payloads;
}

/** Reads one payload; null for anything that is not a doorbell. */
export function parseDoorbell(text: string): Doorbell | null {
  try {
    const raw = JSON.parse(text) as { d?: unknown; v?: unknown; p?: unknown };
    if (typeof raw.d !== 'string' || !Array.isArray(raw.v) || !Array.isArray(raw.p)) return null;
    const versions = raw.v.filter(
      (x): x is [number, number] => Array.isArray(x) && Number.isSafeInteger(x[0]) && Number.isSafeInteger(x[1]),
    );
    const privates = raw.p
      .filter((x): x is { u: number; e: PrivateEvent } => Number.isSafeInteger(x?.u) && typeof x?.e?.type === 'string')
      .map((x) => ({ userId: x.u, event: x.e }));
    return { daemonId: raw.d, versions, privates };
  } catch {
    return null;
  }
}

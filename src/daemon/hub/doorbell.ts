// The notification one daemon sends the others after its commits: which
// auctions moved and up to which version (receivers read the events from the
// outbox), and whose inboxes grew (receivers read them from the inbox).
// A NOTIFY payload must stay under 8000 bytes, so a flush packs into as many
// payloads as it needs.
export const NOTIFY_CHANNEL = 'nb_events';
/** Room for one payload, below PostgreSQL's 8000-byte limit. */
export const MAX_DOORBELL_BYTES = 7800;

export interface Doorbell {
  /** The daemon that committed these events. */
  daemonId: string;
  /** [auction, highest committed version] pairs. */
  versions: [number, number][];
  /** Users with new inbox events. */
  users: number[];
}

/** Packs one flush into payloads of at most `max` bytes each. */
export function packDoorbells(daemonId: string, versions: Map<number, number>, users: Iterable<number>, max = MAX_DOORBELL_BYTES): string[] {
  const head = `{"d":${JSON.stringify(daemonId)},"v":[`;
  const payloads: string[] = [];
  let v: string[] = [];
  let u: string[] = [];
  let size = head.length + 10;
  const flush = () => {
    if (v.length || u.length) payloads.push(`${head}${v.join(',')}],"u":[${u.join(',')}]}`);
    v = [];
    u = [];
    size = head.length + 10;
  };
  const add = (list: 'v' | 'u', piece: string) => {
    if (head.length + 10 + piece.length > max) return; // cannot fit anywhere: never the case for these small records
    if (size + piece.length + 1 > max) flush();
    (list === 'v' ? v : u).push(piece);
    size += piece.length + 1;
  };
  for (const [auction, version] of versions) add('v', `[${auction},${version}]`);
  for (const id of users) add('u', String(id));
  flush();
  return payloads;
}

/** Reads one payload; null for anything that is not a doorbell. */
export function parseDoorbell(text: string): Doorbell | null {
  try {
    const raw = JSON.parse(text) as { d?: unknown; v?: unknown; u?: unknown };
    if (typeof raw.d !== 'string' || !Array.isArray(raw.v) || !Array.isArray(raw.u)) return null;
    const versions = raw.v.filter(
      (x): x is [number, number] => Array.isArray(x) && Number.isSafeInteger(x[0]) && Number.isSafeInteger(x[1]),
    );
    const users = raw.u.filter((x): x is number => Number.isSafeInteger(x));
    return { daemonId: raw.d, versions, users };
  } catch {
    return null;
  }
}

// The closed bid loop over the daemon's WebSocket: N sockets, each opened with
// one bidder's token and each with one bid in flight — a bid frame with a
// `ref`, then the next as soon as its reply has come — until a time or count
// limit, like the HTTP loop (http-bids.ts) over keep-alive connections. The
// sockets are opened (and welcomed) before the clock starts. A reply is read
// only as far as its status (and, for a refusal, its error code), so the
// load generator takes as little CPU as it can from the daemon it measures.
// Its sockets also carry the open loop's bids (bidderSockets, for open-loop.ts):
// one socket per bidder, any number of bids in flight on each.
import WebSocket from 'ws';
import type { BidConnection } from './http-bids.js';
import { Tally, type BidLoadResult, type LoadLimits } from './tally.js';

export interface SocketBidLoadOptions extends LoadLimits {
  /** Daemon base URL (loopback). */
  url: string;
  connections: number;
  /** The bidders' tokens: socket i bids as tokens[i % tokens.length]. */
  tokens: readonly string[];
  /** The next bid's auction and amount (its maximum when `max`); called just before it is sent. */
  next(): { auction: number; amount: number; max?: boolean };
}

const REPLY = Buffer.from('{"type":"reply",');
const STATUS = Buffer.from('"status":');
const REF = Buffer.from('"ref":');

/** The status of a reply frame (its JSON puts `status` before the body), or undefined for another frame. */
export function replyStatus(data: Buffer): number | undefined {
  if (data.compare(REPLY, 0, REPLY.length, 0, REPLY.length) !== 0) return undefined;
  const at = data.indexOf(STATUS);
  return at < 0 ? undefined : Number(data.toString('latin1', at + STATUS.length, at + STATUS.length + 3));
}

/** The numeric ref of a reply frame (its JSON puts `ref` right after `type`), or undefined when it has none. */
export function replyRef(data: Buffer): number | undefined {
  const at = REPLY.length;
  if (data.compare(REF, 0, REF.length, at, at + REF.length) !== 0) return undefined;
  let ref = 0;
  let i = at + REF.length;
  for (let c = data[i]; c !== undefined && c >= 0x30 && c <= 0x39; c = data[++i]) ref = ref * 10 + (c - 0x30);
  return i === at + REF.length ? undefined : ref;
}

/** The error code of a refused bid's reply. */
export function replyCode(data: Buffer, status: number): string {
  try {
    const code = (JSON.parse(data.toString('utf8')) as { body?: { error?: { code?: string } } }).body?.error?.code;
    if (code) return code;
  } catch {
    // not JSON: fall through to the status
  }
  return `HTTP_${status}`;
}

/** Opens one socket and resolves once the daemon has welcomed it. */
export function open(url: string, token: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/ws`, {
    headers: { authorization: `Bearer ${token}` },
    perMessageDeflate: false,
    skipUTF8Validation: true,
  });
  return new Promise((ok, fail) => {
    ws.once('message', () => ok(ws));
    ws.once('error', fail);
    ws.once('close', () => fail(new Error('closed before the welcome')));
  });
}

/** Opens `count` sockets, socket i with tokens[i % tokens.length], each welcomed; if one fails, closes the others and throws. */
export async function openSockets(url: string, tokens: readonly string[], count = tokens.length): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  try {
    // At most 32 handshakes at once, so the listen backlog never overflows.
    for (let i = 0; i < count; i += 32) {
      const n = Math.min(32, count - i);
      sockets.push(...(await Promise.all(Array.from({ length: n }, (_, j) => open(url, tokens[(i + j) % tokens.length]!)))));
    }
  } catch (err) {
    for (const ws of sockets) ws.terminate();
    throw err;
  }
  return sockets;
}

/** Drops a socket without waiting for the close handshake, and without hearing from it again. */
function drop(ws: WebSocket): void {
  ws.removeAllListeners();
  ws.on('error', () => {});
  ws.terminate();
}

/**
 * One socket per bidder (`tokens`), opened and welcomed, behind one
 * BidConnection that writes each bid on its bidder's socket (found by its
 * token) with a ref of its own, and answers it from the reply with that ref.
 * A socket carries any number of bids at once (up to the daemon's
 * maxBidsInFlight, past which they are answered RATE_LIMITED), so the
 * connection is never busy. The sockets subscribe to nothing; of the private
 * events they get, only the start of each frame is looked at.
 */
export async function bidderSockets(url: string, tokens: readonly string[]): Promise<BidConnection> {
  const sockets = await openSockets(url, tokens);
  type Answered = Parameters<BidConnection['send']>[1];
  const lanes = new Map<string, { ws: WebSocket; pending: Map<number, Answered>; broken: boolean }>();
  let ref = 0;
  sockets.forEach((ws, i) => {
    const lane = { ws, pending: new Map<number, Answered>(), broken: false };
    lanes.set(tokens[i]!, lane);
    ws.on('message', (data: Buffer) => {
      const status = replyStatus(data);
      const r = status === undefined ? undefined : replyRef(data);
      const answered = r === undefined ? undefined : lane.pending.get(r);
      if (!answered) return;
      lane.pending.delete(r!);
      answered(status === 201 ? null : replyCode(data, status!));
    });
    // A lost socket loses the answers of its bids in flight (they may or may not have been made), and its bidder's later bids.
    const fail = () => {
      if (lane.broken) return;
      lane.broken = true;
      drop(ws);
      const lost = [...lane.pending.values()];
      lane.pending.clear();
      for (const answered of lost) answered(null, true);
    };
    ws.on('error', fail);
    ws.on('close', fail);
  });
  return {
    sockets: sockets.length,
    send(shot, answered) {
      const lane = lanes.get(shot.token);
      if (!lane || lane.broken) return answered(null, true);
      const r = ++ref;
      lane.pending.set(r, answered);
      lane.ws.send(`{"op":"bid","ref":${r},"auction":${shot.auction},"${shot.max ? 'max' : 'amount'}":${shot.amount}}`);
    },
    close() {
      for (const lane of lanes.values()) {
        lane.broken = true;
        drop(lane.ws);
      }
    },
  };
}

/** Fires bids over the sockets until the limits; resolves once every bid in flight is answered. */
export async function runSocketBidLoad(o: SocketBidLoadOptions): Promise<BidLoadResult> {
  const sockets = await openSockets(o.url, o.tokens, o.connections);
  const tally = new Tally(o);
  const loop = (ws: WebSocket) =>
    new Promise<void>((done) => {
      let ref = 0;
      let sentAt = 0;
      let waiting = false;
      const finish = () => {
        drop(ws);
        done();
      };
      const send = () => {
        if (!tally.take()) return finish();
        const { auction, amount, max } = o.next();
        ws.send(`{"op":"bid","ref":${++ref},"auction":${auction},"${max ? 'max' : 'amount'}":${amount}}`);
        sentAt = performance.now();
        waiting = true;
      };
      ws.on('message', (data: Buffer) => {
        const status = replyStatus(data);
        if (status === undefined || !waiting) return;
        waiting = false;
        tally.answer(status === 201 ? null : replyCode(data, status), performance.now() - sentAt);
        send();
      });
      const fail = () => {
        if (waiting) tally.transportErrors++;
        waiting = false;
        finish();
      };
      ws.on('error', fail);
      ws.on('close', fail);
      send();
    });
  await Promise.all(sockets.map(loop));
  return tally.finish();
}

// The closed bid loop over the daemon's WebSocket: N sockets, each opened with
// one bidder's token and each with one bid in flight — a bid frame with a
// `ref`, then the next as soon as its reply has come — until a time or count
// limit, like the HTTP loop (http-bids.ts) over keep-alive connections. The
// sockets are opened (and welcomed) before the clock starts. A reply is read
// only as far as its status (and, for a refusal, its error code), so the
// load generator takes as little CPU as it can from the daemon it measures.
import WebSocket from 'ws';
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

/** The status of a reply frame (its JSON puts `status` before the body), or undefined for another frame. */
function replyStatus(data: Buffer): number | undefined {
  if (data.compare(REPLY, 0, REPLY.length, 0, REPLY.length) !== 0) return undefined;
  const at = data.indexOf(STATUS);
  return at < 0 ? undefined : Number(data.toString('latin1', at + STATUS.length, at + STATUS.length + 3));
}

/** The error code of a refused bid's reply. */
function replyCode(data: Buffer, status: number): string {
  try {
    const code = (JSON.parse(data.toString('utf8')) as { body?: { error?: { code?: string } } }).body?.error?.code;
    if (code) return code;
  } catch {
    // not JSON: fall through to the status
  }
  return `HTTP_${status}`;
}

/** Opens one socket and resolves once the daemon has welcomed it. */
function open(url: string, token: string): Promise<WebSocket> {
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

/** Fires bids over the sockets until the limits; resolves once every bid in flight is answered. */
export async function runSocketBidLoad(o: SocketBidLoadOptions): Promise<BidLoadResult> {
  const sockets: WebSocket[] = [];
  try {
    // At most 32 handshakes at once, so the listen backlog never overflows.
    for (let i = 0; i < o.connections; i += 32) {
      const n = Math.min(32, o.connections - i);
      sockets.push(...(await Promise.all(Array.from({ length: n }, (_, j) => open(o.url, o.tokens[(i + j) % o.tokens.length]!)))));
    }
  } catch (err) {
    for (const ws of sockets) ws.terminate();
    throw err;
  }
  const tally = new Tally(o);
  const loop = (ws: WebSocket) =>
    new Promise<void>((done) => {
      let ref = 0;
      let sentAt = 0;
      let waiting = false;
      const finish = () => {
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
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

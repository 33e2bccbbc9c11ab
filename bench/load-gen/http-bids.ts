// A lean bid loop over HTTP/1.1 keep-alive: N connections, each with one bid in
// flight, until a time or count limit. It writes requests on raw sockets and
// reads only the status line, Content-Length and (for refusals) the error code,
// so that on a 2-core machine the load generator takes as little CPU as it can
// from the daemon it measures. Each bid's amount is chosen at the moment it is
// sent, so amounts rise in send order. Its connections (bidConnector) carry the
// open loop's bids too (open-loop.ts).
import net from 'node:net';
import { Tally, type BidLoadResult, type LoadLimits } from './tally.js';

export interface BidShot {
  auction: number;
  /** The amount of a plain bid, or the maximum of a maximum bid. */
  amount: number;
  /** Sent as {"max": amount}. */
  max?: boolean;
  token: string;
}

export interface BidLoadOptions extends LoadLimits {
  /** Daemon base URL (loopback). */
  url: string;
  connections: number;
  /** The next bid to send; called just before it is written. */
  next(): BidShot;
}

interface Parsed {
  status: number;
  /** The body, undecoded (a view into the buffer): most answers are 201s whose body is not read. */
  body: Buffer;
  rest: Buffer;
}

// One complete response off the front of buf, or undefined if it is not all here yet.
function takeResponse(buf: Buffer): Parsed | undefined {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = buf.toString('latin1', 0, headEnd);
  const status = Number(head.slice(9, 12));
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  const length = m ? Number(m[1]) : 0;
  const end = headEnd + 4 + length;
  if (buf.length < end) return undefined;
  return { status, body: buf.subarray(headEnd + 4, end), rest: buf.subarray(end) };
}

/** A bid's request, ready to write: `host` is the Host header, `extraHeaders` end in CRLF. */
function bidRequest(host: string, shot: BidShot, extraHeaders = ''): string {
  const body = shot.max ? `{"max":${shot.amount}}` : `{"amount":${shot.amount}}`;
  return (
    `POST /v1/auctions/${shot.auction}/bids HTTP/1.1\r\nHost: ${host}\r\n` +
    `Authorization: Bearer ${shot.token}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${body.length}\r\n${extraHeaders}\r\n${body}`
  );
}

/** The error code of a refusal's body, or HTTP_<status> when it has none. */
export function errorCode(status: number, body: string): string {
  try {
    const code = (JSON.parse(body) as { error?: { code?: string } }).error?.code;
    if (code) return code;
  } catch {
    // not JSON: fall through to the status
  }
  return `HTTP_${status}`;
}

/**
 * One keep-alive connection carrying one bid at a time (the closed loop's and
 * the open loop's); or, with `sockets` set, connections that carry any number
 * of bids at once (the bidders' WebSockets, socket-bids.ts).
 */
export interface BidConnection {
  /** Set when it takes a bid while others are in flight: the sockets it stands for. */
  readonly sockets?: number;
  /**
   * Writes the bid; `answered` is called once, with null (accepted) or the
   * refusal's code, or with `broken` set when the connection failed first
   * (then it is closed and must not be used again; for one with `sockets`,
   * only the bid's own socket failed).
   */
  send(shot: BidShot, answered: (code: string | null, broken?: boolean) => void): void;
  close(): void;
}

/** Opens a connection: `ready` once it is up, or `failed`. */
export type Connect = (ready: (c: BidConnection) => void, failed: () => void) => void;

/** Connections to a daemon's bid route on raw keep-alive sockets. */
export function bidConnector(url: string): Connect {
  const target = new URL(url);
  const host = target.hostname;
  const port = Number(target.port);
  return (ready, failed) => {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    let pending: ((code: string | null, broken?: boolean) => void) | undefined;
    let connected = false;
    let ended = false;
    const conn: BidConnection = {
      send(shot, answered) {
        if (ended) return answered(null, true);
        pending = answered;
        socket.write(bidRequest(`${host}:${port}`, shot));
      },
      close() {
        ended = true;
        socket.removeAllListeners('data');
        socket.destroy();
      },
    };
    socket.on('connect', () => {
      connected = true;
      ready(conn);
    });
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      const r = takeResponse(buf);
      if (!r) return;
      buf = Buffer.from(r.rest);
      const answered = pending;
      pending = undefined;
      answered?.(r.status === 201 ? null : errorCode(r.status, r.body.toString('utf8')));
    });
    const fail = () => {
      if (ended) return;
      ended = true;
      if (!connected) return failed();
      const answered = pending;
      pending = undefined;
      answered?.(null, true);
    };
    socket.on('error', fail);
    socket.on('close', fail);
  };
}

/** Fires bids until the limits, each connection sending its next bid when the last is answered (a closed loop); resolves once every bid in flight is answered. */
export async function runBidLoad(o: BidLoadOptions): Promise<BidLoadResult> {
  const connect = bidConnector(o.url);
  const tally = new Tally(o);
  const connection = () =>
    new Promise<void>((done) => {
      connect(
        (c) => {
          const send = () => {
            if (!tally.take()) {
              c.close();
              return done();
            }
            const shot = o.next();
            const sentAt = performance.now();
            c.send(shot, (code, broken) => {
              if (broken) {
                tally.transportErrors++;
                return done();
              }
              tally.answer(code, performance.now() - sentAt);
              send();
            });
          };
          send();
        },
        () => {
          tally.transportErrors++;
          done();
        },
      );
    });
  await Promise.all(Array.from({ length: o.connections }, connection));
  return tally.finish();
}

export interface Volley {
  /** Daemon base URL this bid goes to. */
  url: string;
  auction: number;
  amount: number;
  token: string;
}

export interface VolleyAnswer {
  status: number;
  /** The error code of a refusal; undefined for a 201. */
  code?: string;
  /** The accepted bid's auction version, from the 201 body. */
  version?: number;
}

/**
 * Fires every bid at the same instant, each over its own connection: all the
 * connections are opened first, then every request is written in one go.
 * Resolves with the answers in order and the time from first write to last answer.
 */
export async function fireVolley(shots: Volley[], timeoutMs = 60_000): Promise<{ answers: VolleyAnswer[]; elapsedMs: number }> {
  const sockets: net.Socket[] = new Array(shots.length);
  const connectOne = (i: number) =>
    new Promise<void>((ok, fail) => {
      const u = new URL(shots[i]!.url);
      const s = net.connect({ host: u.hostname, port: Number(u.port) });
      s.setNoDelay(true);
      s.once('connect', () => ok());
      s.once('error', fail);
      sockets[i] = s;
    });
  try {
    // Open at most 256 at a time so the listen backlog never overflows.
    for (let i = 0; i < shots.length; i += 256) {
      await Promise.all(shots.slice(i, i + 256).map((_, j) => connectOne(i + j)));
    }
    const answers = shots.map((shot, i) =>
      new Promise<VolleyAnswer>((ok) => {
        const s = sockets[i]!;
        let buf: Buffer = Buffer.alloc(0);
        const timer = setTimeout(() => s.destroy(new Error('timed out')), timeoutMs);
        s.on('data', (chunk: Buffer) => {
          buf = Buffer.concat([buf, chunk]);
          const r = takeResponse(buf);
          if (!r) return;
          clearTimeout(timer);
          const body = r.body.toString('utf8');
          // A leader raising their maximum makes no row: the auction's version stands for it.
          const won = () => JSON.parse(body) as { bid: { version: number } | null; auction: { version: number } };
          if (r.status === 201) ok({ status: 201, version: won().bid?.version ?? won().auction.version });
          else ok({ status: r.status, code: errorCode(r.status, body) });
        });
        s.on('error', () => {
          clearTimeout(timer);
          ok({ status: 0, code: 'CONNECTION_FAILED' });
        });
        s.on('close', () => {
          clearTimeout(timer);
          ok({ status: 0, code: 'CONNECTION_CLOSED' });
        });
      }),
    );
    const started = performance.now();
    shots.forEach((shot, i) => sockets[i]!.write(bidRequest(new URL(shot.url).host, shot, 'Connection: close\r\n')));
    const all = await Promise.all(answers);
    return { answers: all, elapsedMs: performance.now() - started };
  } finally {
    for (const s of sockets) s?.destroy();
  }
}

// A watcher process of the load scenario (forked by bench/watchers.ts): holds
// many raw `ws` sockets to the daemon, each subscribed to its auctions, and
// checks every frame as it comes: versions in order, each once, from the
// snapshot on (delivery-check.ts), and the commit-to-watcher latency (now −
// the event's `at`, the commit time; parent, child and daemon share the
// machine's clock). It runs apart from the load generator so that receiving
// the events of a thousand sockets does not starve the bids (or the other way
// round). It exits when told to, or when its parent goes away.
import PQueue from 'p-queue';
import WebSocket from 'ws';
import { StreamCheck } from './delivery-check.js';
import { Latency } from './histogram.js';
import type { FromWatcher, SocketSpec, ToWatcher, WatcherResult } from './watcher-protocol.js';

interface Watched {
  ws: WebSocket;
  streams: Map<number, StreamCheck>;
}

const sockets: Watched[] = [];
const latency = new Latency();
const seen = new Map<number, Map<number, number | string>>();
const unexpected: Record<string, number> = {};
const closes: Record<string, number> = {};
let deliveries = 0;
let mismatched = 0;
let firstDeliveryAt = 0;
let lastDeliveryAt = 0;
let awaitingSnapshots = 0;
let closing = false;

const send = (m: FromWatcher) => process.send?.(m);
const count = (bag: Record<string, number>, key: string) => (bag[key] = (bag[key] ?? 0) + 1);

function onFrame(w: Watched, data: Buffer): void {
  const f = JSON.parse(data.toString('utf8')) as { type: string; auction?: number; version?: number; at?: string; bidId?: number; code?: string };
  const stream = typeof f.auction === 'number' ? w.streams.get(f.auction) : undefined;
  if (stream && typeof f.version === 'number') {
    if (f.type === 'snapshot') {
      if (stream.start === null) awaitingSnapshots--;
      else count(unexpected, 'second snapshot');
      stream.begin(f.version);
      return;
    }
    const now = performance.timeOrigin + performance.now();
    deliveries++;
    if (firstDeliveryAt === 0) firstDeliveryAt = now;
    lastDeliveryAt = now;
    latency.record(now - Date.parse(f.at ?? ''));
    stream.accept(f.version);
    // One (auction, version) is one committed event: every copy must be the same one.
    let versions = seen.get(f.auction!);
    if (!versions) seen.set(f.auction!, (versions = new Map()));
    const signature = f.bidId ?? f.type;
    const first = versions.get(f.version);
    if (first === undefined) versions.set(f.version, signature);
    else if (first !== signature) mismatched++;
    return;
  }
  if (f.type === 'welcome' || f.type === 'subscribed' || f.type === 'pong') return;
  count(unexpected, f.type === 'error' ? `error ${f.code}` : f.type);
}

function openOne(url: string, spec: SocketSpec, timeoutMs: number): Promise<void> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: timeoutMs });
    const w: Watched = { ws, streams: new Map(spec.auctions.map((a) => [a, new StreamCheck()])) };
    let opened = false;
    ws.on('open', () => {
      opened = true;
      sockets.push(w);
      awaitingSnapshots += w.streams.size;
      ws.send(JSON.stringify({ op: 'subscribe', auctions: spec.auctions }));
      ok();
    });
    ws.on('message', (data: Buffer) => onFrame(w, data));
    ws.on('error', (err) => {
      if (!opened) fail(err);
    });
    ws.on('close', (code) => {
      if (!opened) fail(new Error(`closed with ${code} before opening`));
      else if (!closing) count(closes, String(code));
    });
  });
}

async function open(m: Extract<ToWatcher, { op: 'open' }>): Promise<void> {
  const started = performance.now();
  const queue = new PQueue({ concurrency: m.parallel });
  let failed = 0;
  let firstError: string | undefined;
  for (const spec of m.sockets) {
    void queue.add(() =>
      openOne(m.url, spec, m.timeoutMs).catch((err: Error) => {
        failed++;
        firstError ??= err.message;
      }),
    );
  }
  await queue.onIdle();
  // Every subscription is answered with a snapshot; wait for them all (bounded).
  const deadline = performance.now() + m.timeoutMs;
  while (awaitingSnapshots > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (awaitingSnapshots > 0) {
    failed += awaitingSnapshots;
    firstError ??= `${awaitingSnapshots} subscriptions got no snapshot in ${m.timeoutMs} ms`;
  }
  const streams = sockets.reduce((n, w) => n + w.streams.size, 0);
  send({ op: 'ready', sockets: sockets.length, streams, failed, ...(firstError ? { firstError } : {}), ms: Math.round(performance.now() - started) });
}

async function finish(m: Extract<ToWatcher, { op: 'finish' }>): Promise<void> {
  const finals = new Map(m.finals);
  const done = () => sockets.every((w) => [...w.streams].every(([a, s]) => s.complete(finals.get(a) ?? 0)));
  const deadline = performance.now() + m.timeoutMs;
  while (!done() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const result: WatcherResult = {
    sockets: sockets.length,
    streams: 0,
    deliveries,
    duplicates: 0,
    outOfOrder: 0,
    lost: 0,
    incomplete: 0,
    mismatched,
    unexpected,
    closes,
    latency: latency.encode(),
    firstDeliveryAt,
    lastDeliveryAt,
    seen: [...seen].map(([a, versions]) => [a, [...versions]]),
  };
  for (const w of sockets) {
    for (const [a, s] of w.streams) {
      const final = finals.get(a) ?? 0;
      result.streams++;
      result.duplicates += s.duplicates;
      result.outOfOrder += s.outOfOrder;
      result.lost += s.lost(final);
      if (!s.complete(final)) result.incomplete++;
    }
  }
  send({ op: 'result', result });
}

async function close(): Promise<void> {
  closing = true;
  const gone = sockets.map((w) => new Promise<void>((r) => (w.ws.readyState === WebSocket.CLOSED ? r() : w.ws.once('close', () => r()))));
  for (const w of sockets) w.ws.close(1000);
  await Promise.race([Promise.all(gone), new Promise((r) => setTimeout(r, 3000))]);
  for (const w of sockets) w.ws.terminate();
  process.exit(0);
}

process.on('message', (m: ToWatcher) => {
  const run = m.op === 'open' ? open(m) : m.op === 'finish' ? finish(m) : close();
  run.catch((err: Error) => send({ op: 'fatal', message: err.stack ?? err.message }));
});
// The bench that started this process is gone: nothing is left to report to.
process.on('disconnect', () => process.exit(0));

// A watcher process of the load scenario (forked by watchers/pool.ts): holds
// many WebSockets to the daemon (lean-websocket.ts: raw frames, no library;
// frame-reader.ts: event frames read where they lie, the rest parsed),
// each subscribed to its auctions, and checks every frame as it comes:
// versions in order, each once, from the snapshot on (delivery-check.ts), and
// when it came: against the event's `at` at once, and against the commit of
// its transaction at the end (delivery-log.ts; the parent, the children, the
// daemon and PostgreSQL share the machine's clock). It runs apart from the
// load generator so that receiving the events of a thousand sockets does not
// starve the bids (or the other way round). It exits when told to, or when
// its parent goes away.
import PQueue from 'p-queue';
import { StreamCheck } from './delivery-check.js';
import { DeliveryLog } from './delivery-log.js';
import type { EventFields } from './event-fields.js';
import { FrameReader, isBatch } from './frame-reader.js';
import { Latency } from '../measure/histogram.js';
import { LeanSocket } from './lean-websocket.js';
import type { FromWatcher, SocketSpec, ToWatcher, WatcherResult } from './watcher-protocol.js';

interface Watched {
  ws: LeanSocket;
  streams: Map<number, StreamCheck>;
}

/** One event frame in this many is also parsed in full, to check the field reader against JSON.parse. */
const CROSS_CHECK_EVERY = 64;

/**
 * The sockets ask for batch frames (several events in one frame), as the
 * socket client does, unless NB_BENCH_WS_BATCH=0 (to measure what they are
 * worth, or to watch as a client older than batches). Deliveries are counted
 * per event either way.
 */
const BATCH = process.env.NB_BENCH_WS_BATCH !== '0';

const sockets: Watched[] = [];
let latency = new Latency();
let log = new DeliveryLog();
const unexpected: Record<string, number> = {};
const closes: Record<string, number> = {};
let deliveries = 0;
let mismatched = 0;
let lastDeliveryAt = 0;
let awaitingSnapshots = 0;
let closing = false;

const send = (m: FromWatcher) => process.send?.(m);
const count = (bag: Record<string, number>, key: string) => (bag[key] = (bag[key] ?? 0) + 1);

/** When the frame being read arrived (epoch ms): one clock reading per frame from the socket, for every event in it. */
let arrivedAt = 0;

/** One event delivered on `w` (its fields read in place, or from a full parse). */
function delivered(w: Watched, f: EventFields): boolean {
  const stream = w.streams.get(f.auction);
  if (!stream) {
    count(unexpected, `${f.type} frame`);
    return false;
  }
  deliveries++;
  lastDeliveryAt = arrivedAt;
  latency.record(arrivedAt - f.at);
  // One (auction, version) is one committed event: every copy must be the same one.
  if (log.record(f.auction, f.version, arrivedAt, Number.isNaN(f.bidId) ? f.type : f.bidId)) mismatched++;
  stream.accept(f.version);
  return true;
}

/** An event frame read in place by the frame reader; one in CROSS_CHECK_EVERY is also parsed in full. */
function onEvent(w: Watched, f: EventFields, buf: Buffer, start: number, end: number): void {
  if (delivered(w, f) && deliveries % CROSS_CHECK_EVERY === 0) crossCheck(buf.subarray(start, end), f);
}

function crossCheck(frame: Buffer, f: EventFields): void {
  const full = parse(frame) as { type: string; auction: number; version: number; at: string; bidId?: number } | undefined;
  if (
    full?.type !== f.type || full.auction !== f.auction || full.version !== f.version ||
    !Object.is(Date.parse(full.at), f.at) || !Object.is(full.bidId ?? NaN, f.bidId)
  ) {
    count(unexpected, 'field reader disagrees with JSON.parse');
  }
}

function parse(frame: Buffer): unknown {
  try {
    return JSON.parse(frame.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Any frame the reader did not read in place (snapshots, replies, errors, …), parsed in full. */
function onOther(w: Watched, frame: Buffer): void {
  const m = parse(frame) as { type?: unknown; auction?: unknown; version?: unknown; at?: unknown; bidId?: unknown; code?: unknown } | undefined;
  if (typeof m?.type !== 'string') {
    count(unexpected, 'frame that is not a JSON object with a type');
    return;
  }
  if (m.type === 'error') count(unexpected, `error ${String(m.code)}`);
  else if (m.type === 'snapshot' && typeof m.auction === 'number' && typeof m.version === 'number') {
    const stream = w.streams.get(m.auction);
    if (!stream) count(unexpected, 'snapshot of an auction not watched');
    else {
      if (stream.start === null) awaitingSnapshots--;
      else count(unexpected, 'second snapshot');
      stream.begin(m.version);
    }
  } else if (typeof m.auction === 'number' && typeof m.version === 'number') {
    // An event the reader declined: checked all the same.
    const at = typeof m.at === 'string' ? Date.parse(m.at) : NaN;
    delivered(w, { type: m.type, auction: m.auction, version: m.version, at, bidId: typeof m.bidId === 'number' ? m.bidId : NaN });
  } else if (m.type !== 'welcome' && m.type !== 'subscribed' && m.type !== 'pong') count(unexpected, `${m.type} frame`);
}

function openOne(url: URL, spec: SocketSpec, timeoutMs: number): Promise<void> {
  const streams = new Map(spec.auctions.map((a) => [a, new StreamCheck()]));
  const reader = new FrameReader({
    event: (f, buf, start, end) => onEvent(w, f, buf, start, end),
    other: (frame) => onOther(w, frame),
  });
  const w: Watched = {
    streams,
    ws: new LeanSocket(url, {
      text: (buf, start, end) => {
        arrivedAt = performance.timeOrigin + performance.now();
        if (BATCH && isBatch(buf, start, end)) reader.batch(buf, start, end);
        else reader.one(buf, start, end);
      },
      odd: (what) => count(unexpected, what),
      closed: (code) => {
        if (!closing) count(closes, String(code));
      },
    }, { batch: BATCH }),
  };
  return w.ws.open(timeoutMs).then(() => {
    sockets.push(w);
    awaitingSnapshots += streams.size;
    w.ws.sendText(JSON.stringify({ op: 'subscribe', auctions: spec.auctions }));
  });
}

async function open(m: Extract<ToWatcher, { op: 'open' }>): Promise<void> {
  const queue = new PQueue({ concurrency: m.parallel });
  let failed = 0;
  let firstError: string | undefined;
  for (const spec of m.sockets) {
    void queue.add(() =>
      openOne(new URL(m.url), spec, m.timeoutMs).catch((err: Error) => {
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
  send({ op: 'ready', failed, ...(firstError ? { firstError } : {}) });
}

/** Waits (bounded) until every stream has every version up to its auction's final one. */
async function reach(finals: Map<number, number>, timeoutMs: number): Promise<void> {
  const done = () => sockets.every((w) => [...w.streams].every(([a, s]) => s.complete(finals.get(a) ?? 0)));
  const deadline = performance.now() + timeoutMs;
  while (!done() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

// After a warm-up: its deliveries are in, and the measurement starts afresh.
async function settle(m: Extract<ToWatcher, { op: 'settle' }>): Promise<void> {
  const finals = new Map(m.finals);
  await reach(finals, m.timeoutMs);
  latency = new Latency();
  log = new DeliveryLog();
  deliveries = 0;
  lastDeliveryAt = 0;
  const incomplete = sockets.reduce((n, w) => n + [...w.streams].filter(([a, s]) => !s.complete(finals.get(a) ?? 0)).length, 0);
  send({ op: 'settled', incomplete });
}

async function finish(m: Extract<ToWatcher, { op: 'finish' }>): Promise<void> {
  const finals = new Map(m.finals);
  await reach(finals, m.timeoutMs);
  const timing = m.commits ? log.time(m.commits) : null;
  const result: WatcherResult = {
    deliveries,
    duplicates: 0,
    outOfOrder: 0,
    lost: 0,
    incomplete: 0,
    mismatched,
    unexpected,
    closes,
    latency: latency.encode(),
    commitLatency: timing ? timing.latency.encode() : null,
    beforeCommit: timing?.beforeCommit ?? 0,
    untimed: timing ? timing.untimed : deliveries,
    lastDeliveryAt,
    seen: log.seen(),
  };
  for (const w of sockets) {
    for (const [a, s] of w.streams) {
      const final = finals.get(a) ?? 0;
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
  for (const w of sockets) w.ws.close();
  // Bounded: the daemon answers the close frames and ends the connections.
  const deadline = performance.now() + 3000;
  while (sockets.some((w) => !w.ws.isClosed) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const w of sockets) w.ws.destroy();
  process.exit(0);
}

process.on('message', (m: ToWatcher) => {
  const run = m.op === 'open' ? open(m) : m.op === 'settle' ? settle(m) : m.op === 'finish' ? finish(m) : close();
  run.catch((err: Error) => send({ op: 'fatal', message: err.stack ?? err.message }));
});
// The bench that started this process is gone: nothing is left to report to.
process.on('disconnect', () => process.exit(0));

// A watcher process (forked by watchers.ts) of the kill test and of presence-cost.ts:
// a thousand or so SocketClients — the client library the CLI and the TUI use,
// with its reconnect and resume — watching auctions through HAProxy. It keeps
// what each watcher's handler was given, per auction, and when; told which
// daemon was killed, it times that daemon's watchers until they are whole
// again; at the end it checks every stream against the outbox. It runs apart
// from the test so that a thousand sockets' events do not starve the bids.
import { SocketClient, type AuctionMessage } from '../../src/client/socket-client.js';
import { canonical, type FromWatchers, type ToWatchers, type WatchersResult } from './watcher-protocol.js';

interface Stream {
  /** Version of the first snapshot; null until it came. */
  start: number | null;
  last: number;
  /** Delivery time of version start + i, epoch ms. */
  times: number[];
  resnapshots: number;
}

interface Watcher {
  client: SocketClient;
  streams: Map<number, Stream>;
  /** Each time it went live: when, and on which daemon. */
  lives: { at: number; daemonId: string }[];
}

const watchers: Watcher[] = [];
/** "auction:version" → the event as canonical JSON, from its first copy. */
const seen = new Map<string, string>();
let copiesDiffering = 0;
let deliveries = 0;
let kill: { daemonId: string; at: number; versions: Map<number, number>; affected: Watcher[] } | undefined;

const send = (m: FromWatchers) => process.send?.(m);
const now = () => performance.timeOrigin + performance.now();

function onMessage(s: Stream, m: AuctionMessage): void {
  if (m.type === 'error' || m.type === 'presence') return;
  const t = now();
  if (m.type === 'snapshot') {
    if (s.start !== null) {
      s.resnapshots++;
      return;
    }
    s.start = m.version;
    s.last = m.version;
    s.times.push(t);
    return;
  }
  // The client passes each version once and in order; what it dropped or resynced is in its stats.
  deliveries++;
  s.last = m.version;
  s.times[m.version - s.start!] = t;
  const key = `${m.auction}:${m.version}`;
  const json = canonical(m);
  const first = seen.get(key);
  if (first === undefined) seen.set(key, json);
  else if (first !== json) copiesDiffering++;
}

let openOptions = { url: '', presence: false };
let churnTimer: NodeJS.Timeout | undefined;

/** One watcher: a SocketClient on its auctions; resolves once it has every snapshot. */
async function openOne(auctions: number[]): Promise<Watcher> {
  const w: Watcher = { client: undefined as unknown as SocketClient, streams: new Map(), lives: [] };
  w.client = new SocketClient({
    url: openOptions.url,
    presence: openOptions.presence,
    onState: (state) => {
      if (state.kind === 'live') w.lives.push({ at: now(), daemonId: state.daemonId });
    },
  });
  for (const a of auctions) w.streams.set(a, { start: null, last: 0, times: [], resnapshots: 0 });
  await w.client.subscribe(auctions, (m) => onMessage(w.streams.get(m.auction)!, m));
  // Subscribed is acknowledged before the snapshots: wait for them too.
  while ([...w.streams.values()].some((s) => s.start === null)) await new Promise((r) => setTimeout(r, 20));
  return w;
}

async function open(specs: number[][], parallel: number): Promise<void> {
  for (let i = 0; i < specs.length; i += parallel) {
    watchers.push(...(await Promise.all(specs.slice(i, i + parallel).map(openOne))));
  }
}

/**
 * Watchers coming and going (presence-cost.ts): every other second `perSecond`
 * of them leave, and in the seconds between they come back on the same
 * auctions, so that the number watching changes every second.
 */
function churn(perSecond: number): void {
  clearInterval(churnTimer);
  if (perSecond <= 0) return;
  let away: number[][] = [];
  churnTimer = setInterval(() => {
    if (away.length === 0) {
      for (let i = 0; i < perSecond && watchers.length > 0; i++) {
        const [gone] = watchers.splice(Math.floor(Math.random() * watchers.length), 1);
        void gone!.client.close();
        away.push([...gone!.streams.keys()]);
      }
    } else {
      for (const auctions of away) void openOne(auctions).then((w) => watchers.push(w));
      away = [];
    }
  }, 1000);
}

function perDaemon(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const w of watchers) {
    const s = w.client.state;
    const key = s.kind === 'live' ? s.daemonId : s.kind;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** The daemon a watcher was live on at time t. */
function daemonAt(w: Watcher, t: number): string | undefined {
  let id: string | undefined;
  for (const l of w.lives) if (l.at <= t) id = l.daemonId;
  return id;
}

/** Ms from the kill until the watcher was live elsewhere with every version committed before the kill; undefined while it is not. */
function wholeAfter(w: Watcher): number | undefined {
  const k = kill!;
  const again = w.lives.find((l) => l.at > k.at && l.daemonId !== k.daemonId);
  if (!again) return undefined;
  let at = again.at;
  for (const [auction, s] of w.streams) {
    const target = k.versions.get(auction) ?? 0;
    if (s.start === null) return undefined;
    if (target <= s.start) continue;
    const t = s.times[target - s.start];
    if (t === undefined) return undefined;
    at = Math.max(at, t);
  }
  return at - k.at;
}

async function finish(finals: Map<number, number>, outbox: Map<string, string>, timeoutMs: number): Promise<WatchersResult> {
  const deadline = Date.now() + timeoutMs;
  const behind = () => watchers.some((w) => [...w.streams].some(([a, s]) => s.last < (finals.get(a) ?? 0)));
  while (behind() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const r: WatchersResult = {
    watchers: watchers.length,
    streams: 0,
    deliveries,
    lost: 0,
    duplicates: 0,
    outOfOrder: 0,
    resnapshots: 0,
    notAsInOutbox: copiesDiffering,
    incomplete: 0,
    affected: kill?.affected.length ?? 0,
    movedElsewhere: 0,
    attempts: 0,
    liveMs: [],
    wholeMs: [],
    perDaemon: perDaemon(),
  };
  for (const w of watchers) {
    r.duplicates += w.client.stats.duplicatesDropped;
    r.outOfOrder += w.client.stats.gapsResynced;
    for (const [auction, s] of w.streams) {
      r.streams++;
      r.resnapshots += s.resnapshots;
      const final = finals.get(auction) ?? 0;
      if (s.start === null || s.last < final) r.incomplete++;
      // Every version after the snapshot, up to the final one, handed over once.
      for (let v = (s.start ?? 0) + 1; v <= final; v++) if (s.times[v - s.start!] === undefined) r.lost++;
    }
  }
  for (const [key, json] of seen) if (outbox.get(key) !== json) r.notAsInOutbox++;
  for (const w of kill?.affected ?? []) {
    r.attempts += w.client.stats.reconnects;
    const ms = wholeAfter(w);
    if (ms !== undefined) r.wholeMs.push(Math.round(ms));
    const again = w.lives.find((l) => l.at > kill!.at && l.daemonId !== kill!.daemonId);
    if (again) {
      r.movedElsewhere++;
      r.liveMs.push(Math.round(again.at - kill!.at));
    }
  }
  return r;
}

process.on('message', (m: ToWatchers) => {
  void (async () => {
    try {
      switch (m.op) {
        case 'open':
          openOptions = { url: m.url, presence: m.presence ?? false };
          await open(m.watchers, m.parallel);
          return send({ op: 'opened', perDaemon: perDaemon() });
        case 'churn':
          churn(m.perSecond);
          return send({ op: 'churning' });
        case 'killed': {
          const affected = watchers.filter((w) => daemonAt(w, m.at) === m.daemonId);
          kill = { daemonId: m.daemonId, at: m.at, versions: new Map(m.versions), affected };
          return send({ op: 'marked', affected: affected.length });
        }
        case 'progress':
          return send({ op: 'progress', notWhole: kill ? kill.affected.filter((w) => wholeAfter(w) === undefined).length : 0 });
        case 'finish': {
          const outbox = new Map(m.outbox.map(([a, v, json]) => [`${a}:${v}`, json]));
          return send({ op: 'result', result: await finish(new Map(m.finals), outbox, m.timeoutMs) });
        }
        case 'close':
          clearInterval(churnTimer);
          await Promise.all(watchers.map((w) => w.client.close()));
          process.exit(0);
      }
    } catch (err) {
      send({ op: 'failed', message: String((err as Error).stack ?? err) });
    }
  })();
});
// The test went away: so do we.
process.on('disconnect', () => process.exit(0));


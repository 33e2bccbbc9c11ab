// The load scenario's report: its figures (for --compare), the problems that
// fail a run, and the markdown tables — bids beside the baselines (closed
// loop) or the rates with the knee (open loop), deliveries, the cost of each
// run side by side, and the targets; and its charts.
import { sparklineText } from '../charts/sparkline.js';
import { deliveriesVsLatencyChart, latencyVsOfferedChart, type RatePoint } from '../charts/specs.js';
import { fmt, round1, table, targetsTable, type Figure, type ReportChart, type Target } from '../harness/report.js';
import { LATE_MS } from '../load-gen/open-loop.js';
import { refusedText } from '../load-gen/tally.js';
import type { Baselines, BidFigures, LoadOptions, PhaseResult } from './load-types.js';

/** The knee's latency bound: commit-to-watcher p99 at most this (issue 17). */
export const KNEE_P99_MS = 50;
/** An offered rate is kept when the answers come at least this share of it, and no bid is dropped. */
export const KEPT_SHARE = 0.95;

const MB = 1024 * 1024;
const mb = (bytes: number) => (Number.isFinite(bytes) ? `${fmt(bytes / MB)} MB` : 'n/a');
const kb = (bytes: number) => (Number.isFinite(bytes) ? `${fmt(bytes / 1024)} KB` : 'n/a');

function busyText(busy: Record<string, number>): string {
  const total = Object.values(busy).reduce((a, b) => a + b, 0);
  if (!total) return 'n/a';
  return Object.entries(busy)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([k, n]) => `${k} ${Math.round((n / total) * 100)}%`)
    .join(', ');
}

/** A run's name in the tables: its socket mode, and its rate in an open loop. */
export const runName = (r: PhaseResult) => (r.offeredPerSec === undefined ? r.mode : `${r.mode} at ${fmt(r.offeredPerSec)} bids/s`);

/** Deliveries lost, duplicated, out of order, not as in the outbox, unseen or phantom. */
const deliveryFaults = (r: PhaseResult) => {
  const d = r.deliveries;
  return d.lost + d.duplicates + d.outOfOrder + d.mismatched + d.unseen + d.phantom + d.incomplete;
};

/**
 * Why an open-loop run is not within the knee's bounds (empty when it is):
 * commit-to-watcher p99 ≤ 50 ms, nothing lost, duplicated, out of order or
 * before its commit, and the offered rate kept (answers at ≥ 95% of it, none dropped).
 */
export function kneeMisses(r: PhaseResult): string[] {
  const misses: string[] = [];
  const c = r.deliveries.latency;
  if (!c) misses.push('no commit timestamps');
  else if (c.p99Ms > KNEE_P99_MS) misses.push(`p99 ${c.p99Ms.toFixed(1)} ms`);
  const faults = deliveryFaults(r) + r.deliveries.beforeCommit;
  if (faults > 0) misses.push(`${fmt(faults)} deliveries faulty`);
  const ol = r.bids.openLoop;
  if (ol && (ol.answeredPerSec < KEPT_SHARE * ol.offeredPerSec || ol.dropped > 0 || ol.unanswered > 0)) {
    misses.push(`rate not kept (${Math.round((ol.answeredPerSec / ol.offeredPerSec) * 100)}% answered${ol.dropped ? `, ${fmt(ol.dropped)} dropped` : ''})`);
  }
  return misses;
}

/** The knee: the multiplexed open-loop run at the highest offered rate within the knee's bounds. */
export function kneeOf(runs: readonly PhaseResult[]): PhaseResult | undefined {
  return runs
    .filter((r) => r.mode === 'multiplexed' && r.offeredPerSec !== undefined && kneeMisses(r).length === 0)
    .reduce<PhaseResult | undefined>((best, r) => (!best || r.offeredPerSec! > best.offeredPerSec! ? r : best), undefined);
}

/** What fails a run: any delivery fault, socket close, unexpected frame, bid error other than BID_TOO_LOW, or audit violation. */
export function phaseProblems(r: PhaseResult): string[] {
  const out: string[] = [];
  const name = runName(r);
  const d = r.deliveries;
  const faults: [string, number][] = [
    ['lost', d.lost], ['duplicated', d.duplicates], ['out of order', d.outOfOrder], ['not matching the outbox', d.mismatched],
    ['streams short of the last version', d.incomplete], ['committed events no watcher received', d.unseen], ['events not in the outbox', d.phantom],
  ];
  for (const [what, n] of faults) if (n > 0) out.push(`${name}: ${fmt(n)} deliveries ${what}`);
  if (d.beforeCommit > 0) out.push(`${name}: ${fmt(d.beforeCommit)} deliveries arrived before PostgreSQL's commit timestamp of their event`);
  for (const [what, n] of Object.entries(d.unexpected)) out.push(`${name}: ${n} unexpected frames: ${what}`);
  for (const [code, n] of Object.entries(d.closes)) out.push(`${name}: ${n} sockets closed by the daemon or the network (code ${code})`);
  if (r.bids.transportErrors) out.push(`${name}: ${r.bids.transportErrors} bid connection errors`);
  for (const [code, n] of Object.entries(r.bids.refused)) if (code !== 'BID_TOO_LOW') out.push(`${name}: bids refused with ${code} ${n} times`);
  if (r.auditViolations) out.push(`${name}: the audit found ${r.auditViolations} violations`);
  if (r.bids.accepted === 0) out.push(`${name}: no bid was accepted`);
  if (r.bids.openLoop?.unanswered) out.push(`${name}: ${r.bids.openLoop.unanswered} bids written were never answered`);
  return out;
}

/** The figures a report keeps for --compare, and the targets read. */
export function figuresOf(runs: PhaseResult[], base: Baselines): Figure[] {
  const f: Figure[] = [];
  const add = (key: string, value: number, unit: string, higherIsBetter: boolean) => {
    if (Number.isFinite(value)) f.push({ key, value, unit, higherIsBetter });
  };
  for (const [name, b] of Object.entries(base) as [string, BidFigures][]) add(`load.baseline.${name}.acceptedPerSec`, b.acceptedPerSec, 'bids/s', true);
  for (const r of runs) {
    const k = `load.${r.mode}${r.offeredPerSec === undefined ? '' : `.at${r.offeredPerSec}`}`;
    add(`${k}.acceptedPerSec`, r.bids.acceptedPerSec, 'bids/s', true);
    add(`${k}.bidP50Ms`, r.bids.latency.p50Ms, 'ms', false);
    add(`${k}.bidP99Ms`, r.bids.latency.p99Ms, 'ms', false);
    add(`${k}.deliveriesPerSec`, r.deliveries.perSec, 'deliveries/s', true);
    const c = r.deliveries.latency;
    if (c) {
      add(`${k}.commitToWatcherP50Ms`, c.p50Ms, 'ms', false);
      add(`${k}.commitToWatcherP99Ms`, c.p99Ms, 'ms', false);
      add(`${k}.commitToWatcherP999Ms`, c.p999Ms, 'ms', false);
      add(`${k}.commitToWatcherMaxMs`, c.maxMs, 'ms', false);
    }
    add(`${k}.atToWatcherP50Ms`, r.deliveries.fromAt.p50Ms, 'ms', false);
    add(`${k}.atToWatcherP99Ms`, r.deliveries.fromAt.p99Ms, 'ms', false);
    add(`${k}.deliveryFaults`, deliveryFaults(r), 'deliveries', false);
    add(`${k}.openSec`, r.openSec, 's', false);
    add(`${k}.socketsPerUser`, r.sockets / r.users, 'sockets', false);
    add(`${k}.daemonPeakRssMb`, round1(r.memory.peak / MB), 'MB', false);
    add(`${k}.rssPerUserKb`, round1(r.memory.perUserIdle / 1024), 'KB', false);
    add(`${k}.daemonCpuPercent`, r.cpu.daemon, '%', false);
    add(`${k}.daemonCpuUsPerDelivery`, r.cpu.daemonUsPerDelivery, 'µs', false);
    add(`${k}.watchersCpuUsPerDelivery`, r.cpu.watchersUsPerDelivery, 'µs', false);
    if (r.bids.openLoop) add(`${k}.droppedBids`, r.bids.openLoop.dropped, 'bids', false);
    add(`${k}.postgresConnections`, r.postgres.total, 'connections', false);
    for (const [name, b] of Object.entries(base) as [string, BidFigures][]) {
      if (b.acceptedPerSec > 0) add(`load.ratio.${r.mode}/${name}`, Math.round((r.bids.acceptedPerSec / b.acceptedPerSec) * 100) / 100, '×', true);
    }
  }
  const open = runs.filter((r) => r.offeredPerSec !== undefined);
  if (open.length) {
    add('load.open.deliveryFaults', open.reduce((n, r) => n + deliveryFaults(r) + r.deliveries.beforeCommit, 0), 'deliveries', false);
    const knee = kneeOf(runs);
    if (knee) {
      add('load.knee.offeredPerSec', knee.offeredPerSec!, 'bids/s', true);
      add('load.knee.deliveriesPerSec', knee.deliveries.perSec, 'deliveries/s', true);
      add('load.knee.daemonCpuUsPerDelivery', knee.cpu.daemonUsPerDelivery, 'µs', false);
    }
  }
  const m = runs.find((r) => r.mode === 'multiplexed');
  const s = runs.find((r) => r.mode === 'per-auction');
  if (m && s) {
    add('load.compare.fewerConnectionsPct', round1((1 - m.sockets / m.users / (s.sockets / s.users)) * 100), '%', true);
    add('load.compare.rssPerUserDropPct', round1((1 - m.memory.perUserIdle / s.memory.perUserIdle) * 100), '%', true);
    add('load.compare.peakRssPerUserDropPct', round1((1 - m.memory.perUserPeak / s.memory.perUserPeak) * 100), '%', true);
  }
  return f;
}

const TARGETS: Target[] = [
  { what: 'daemon ≥ 80% of baseline (b) accepted bids/s, same concurrency', key: 'load.ratio.multiplexed/function', atLeast: 0.8 },
  { what: 'commit-to-watcher p99 ≤ 50 ms', key: 'load.multiplexed.commitToWatcherP99Ms', atMost: 50 },
  { what: 'zero lost, duplicated or out-of-order deliveries', key: 'load.multiplexed.deliveryFaults', atMost: 0 },
];
// Issue 17's, for the open loop: the knee of a sweep, and a run of 10,000 users.
const SWEEP_TARGETS: Target[] = [
  { what: `the knee (commit-to-watcher p99 ≤ ${KNEE_P99_MS} ms, nothing lost, the rate kept) at ≥ 120,000 deliveries/s`, key: 'load.knee.deliveriesPerSec', atLeast: 120_000 },
  { what: 'daemon CPU per delivery at the knee ≤ 2.5 µs', key: 'load.knee.daemonCpuUsPerDelivery', atMost: 2.5 },
  { what: 'zero lost, duplicated, out-of-order or before-commit deliveries at every rate', key: 'load.open.deliveryFaults', atMost: 0 },
];
function crowdTargets(runs: PhaseResult[]): Target[] {
  return runs
    .filter((r) => r.mode === 'multiplexed' && r.users >= 10_000)
    .flatMap((r) => {
      const k = `load.${r.mode}${r.offeredPerSec === undefined ? '' : `.at${r.offeredPerSec}`}`;
      return [
        { what: `${runName(r)}, ${fmt(r.users)} users: open and subscribe in ≤ 15 s`, key: `${k}.openSec`, atMost: 15 },
        { what: `${runName(r)}, ${fmt(r.users)} users: daemon RSS ≤ 40 KB per user, idle`, key: `${k}.rssPerUserKb`, atMost: 40 },
        { what: `${runName(r)}, ${fmt(r.users)} users: commit-to-watcher p99 ≤ 100 ms`, key: `${k}.commitToWatcherP99Ms`, atMost: 100 },
      ];
    });
}
const COMPARE_TARGETS: Target[] = [
  { what: 'multiplexed: ≥ 95% fewer connections per user than per-auction', key: 'load.compare.fewerConnectionsPct', atLeast: 95 },
  { what: 'multiplexed: less daemon memory per user than per-auction', key: 'load.compare.rssPerUserDropPct', atLeast: 0.1 },
  { what: 'per-auction: zero lost, duplicated or out-of-order deliveries', key: 'load.per-auction.deliveryFaults', atMost: 0 },
];

/** What the deliveries table cannot show: deliveries left untimed, and why. */
function timingNote(runs: PhaseResult[]): string {
  const notes = runs.flatMap((r) => {
    const d = r.deliveries;
    if (!d.latency) return [`${r.mode}: the server keeps no commit timestamps (track_commit_timestamp is off), so deliveries are timed from \`at\` only.`];
    return d.untimed > 0 ? [`${r.mode}: ${fmt(d.untimed)} deliveries were not timed against their commit (over the watcher's log or without a commit time).`] : [];
  });
  return notes.length ? `\n\n${notes.join(' ')}` : '';
}

const label = (r: PhaseResult) =>
  `daemon, ${r.mode === 'multiplexed' ? 'one socket per user' : 'one socket per auction'} (${fmt(r.users)} users)` +
  (r.offeredPerSec === undefined ? '' : `, ${fmt(r.offeredPerSec)} bids/s offered`);

// The bids table: the baselines, each with the daemon's ratio to it, then the daemon's runs.
function bidRows(runs: PhaseResult[], base: Baselines): string[][] {
  const ratio = (b: BidFigures) => {
    const m = runs.find((r) => r.mode === 'multiplexed');
    return m && b.acceptedPerSec > 0 ? `${(m.bids.acceptedPerSec / b.acceptedPerSec).toFixed(2)}×` : 'n/a';
  };
  const bidRow = (name: string, b: BidFigures, last: string) => [
    name, fmt(b.acceptedPerSec), b.latency.p50Ms.toFixed(1), b.latency.p99Ms.toFixed(1), b.latency.maxMs.toFixed(1), fmt(b.accepted), refusedText(b), last,
    `${b.load[0]} → ${b.load[1]}`,
  ];
  return [
    ...(base.statements ? [bidRow('(a) SQL statement by statement, 1 bid/tx', base.statements, ratio(base.statements))] : []),
    ...(base.function ? [bidRow('(b) SQL nb_place_bids call, 1 bid/tx', base.function, ratio(base.function))] : []),
    ...runs.map((r) => bidRow(label(r), r.bids, '—')),
  ];
}

function deliveryRows(runs: PhaseResult[]): string[][] {
  return runs.map((r) => {
    const d = r.deliveries;
    return [
      label(r), fmt(r.sockets), fmt(r.subscriptions), fmt(d.count), fmt(d.perSec),
      ...(d.latency ? [d.latency.p50Ms.toFixed(1), d.latency.p99Ms.toFixed(1), d.latency.p999Ms.toFixed(1), d.latency.maxMs.toFixed(1)] : ['n/a', 'n/a', 'n/a', 'n/a']),
      `${d.fromAt.p50Ms.toFixed(1)} / ${d.fromAt.p99Ms.toFixed(1)}`,
      fmt(d.lost), fmt(d.duplicates), fmt(d.outOfOrder), fmt(d.mismatched + d.unseen + d.phantom), d.latency ? fmt(d.beforeCommit) : 'n/a',
    ];
  });
}

// The cost table: one row a measure, one column a socket mode.
function costRows(runs: PhaseResult[]): string[][] {
  const row = (what: string, f: (r: PhaseResult) => string) => [what, ...runs.map(f)];
  return [
    row('users', (r) => fmt(r.users)),
    row('watcher processes', (r) => fmt(r.watcherProcesses)),
    row('WebSockets open (the daemon\'s nb_ws_sockets)', (r) => fmt(r.sockets)),
    row('WebSockets per user', (r) => fmt(r.sockets / r.users)),
    row('subscriptions', (r) => fmt(r.subscriptions)),
    row('time to open and subscribe', (r) => `${r.openSec} s`),
    row('PostgreSQL connections (most during the run: all / the daemon\'s)', (r) => `${r.postgres.total} / ${r.postgres.daemon}`),
    row('daemon RSS before the sockets', (r) => mb(r.memory.beforeSockets)),
    row('daemon RSS with the sockets, idle', (r) => mb(r.memory.withSockets)),
    row('daemon peak RSS under load', (r) => mb(r.memory.peak)),
    row('RSS per user, idle ((with − before) ÷ users)', (r) => kb(r.memory.perUserIdle)),
    row('RSS per user at the peak ((peak − before) ÷ users)', (r) => kb(r.memory.perUserPeak)),
    row('daemon CPU (100% = one core)', (r) => `${r.cpu.daemon}%`),
    row('daemon CPU per delivery', (r) => `${r.cpu.daemonUsPerDelivery} µs`),
    row('daemon CPU per accepted bid', (r) => `${fmt(r.cpu.daemonUsPerBid)} µs`),
    row('the watcher processes\' CPU per delivery (the users\' machines, apart from the daemon)', (r) => `${r.cpu.watchersUsPerDelivery} µs`),
    row('CPU of PostgreSQL / the watcher processes / the bid generator', (r) => `${r.cpu.postgres ?? 'n/a'}% / ${r.cpu.watchers}% / ${r.cpu.generator}%`),
    row('bids per transaction (mean) and its time', (r) => `${r.inside.meanBatch}, ${r.inside.meanBatchMs} ms`),
    row('commit to frames handed to the sockets, in the daemon: p50 / p99', (r) => `${r.inside.commitToSend.p50} s / ${r.inside.commitToSend.p99} s`),
    row("the daemon's event-loop delay: p50 / p99", (r) => `${r.inside.loopDelayP50Ms} ms / ${r.inside.loopDelayP99Ms} ms`),
    row("the daemon's garbage collection: full collections / all pauses", (r) => `${r.inside.gc.full} / ${fmt(r.inside.gc.pauseMs)} ms`),
    row('event frames per socket write', (r) => (Number.isFinite(r.inside.framesPerWrite) ? String(r.inside.framesPerWrite) : 'n/a')),
    row("the daemon's busy PostgreSQL backends, sampled every 250 ms: running or waiting for", (r) => busyText(r.postgres.daemonBusy)),
  ];
}

// The two socket modes compared per user, when the run had both.
function compareText(o: LoadOptions, runs: PhaseResult[], figures: Figure[]): string {
  const m = runs.find((r) => r.mode === 'multiplexed');
  const s = runs.find((r) => r.mode === 'per-auction');
  if (!m || !s) return '';
  const pct = (key: string) => figures.find((f) => f.key === key)?.value;
  return (
    `Per user: ${fmt(m.sockets / m.users)} socket multiplexed against ${fmt(s.sockets / s.users)} one per auction ` +
    `(${pct('load.compare.fewerConnectionsPct')}% fewer); daemon memory per user ${kb(m.memory.perUserIdle)} against ${kb(s.memory.perUserIdle)} idle ` +
    `(${pct('load.compare.rssPerUserDropPct')}% less), ${kb(m.memory.perUserPeak)} against ${kb(s.memory.perUserPeak)} at the peak under load ` +
    `(${pct('load.compare.peakRssPerUserDropPct')}% less). The per-auction run has ${fmt(s.users)} users (${fmt(s.users * o.perUser)} sockets) ` +
    `so that one process stays under the machine's 20,000 open files; per-user figures compare the two.`
  );
}

// The open loop's runs, one row a rate: what was offered and kept, the bids' latency from their slots, the deliveries, their cost, and the knee's bounds.
function rateRows(runs: PhaseResult[]): string[][] {
  return runs.map((r) => {
    const ol = r.bids.openLoop!;
    const b = r.bids.latency;
    const d = r.deliveries;
    const c = d.latency;
    const misses = kneeMisses(r);
    return [
      r.mode === 'multiplexed' ? fmt(ol.offeredPerSec) : `${fmt(ol.offeredPerSec)} (per-auction sockets)`,
      fmt(r.bids.acceptedPerSec), fmt(d.perSec),
      `${b.p50Ms.toFixed(1)} / ${b.p99Ms.toFixed(1)}`, ol.fromWrite.p99Ms.toFixed(1),
      fmt(ol.late), `${ol.lateP99Ms.toFixed(1)} / ${ol.lateMaxMs.toFixed(1)}`, fmt(ol.dropped), fmt(ol.peakConnections),
      c ? `${c.p50Ms.toFixed(1)} / ${c.p99Ms.toFixed(1)} / ${c.p999Ms.toFixed(1)}` : 'n/a',
      String(r.cpu.daemonUsPerDelivery), String(r.cpu.watchersUsPerDelivery),
      `${fmt(d.lost)} / ${fmt(d.duplicates)} / ${fmt(d.outOfOrder)} / ${c ? fmt(d.beforeCommit) : 'n/a'}`,
      `${r.bids.load[0]} → ${r.bids.load[1]}`,
      misses.length ? `no: ${misses.join(', ')}` : 'yes',
    ];
  });
}

const RATE_HEADERS = [
  'offered bids/s', 'achieved (accepted) bids/s', 'deliveries/s', 'bid p50 / p99 ms from its slot', 'bid p99 ms from its write',
  `bids written > ${LATE_MS} ms after their slot`, 'write lag p99 / max ms', 'dropped', 'connections', 'commit-to-watcher p50 / p99 / p99.9 ms',
  'daemon CPU µs/delivery', 'watchers CPU µs/delivery', 'lost / duplicated / out of order / before commit', 'machine load (1 min) start → end',
  'within the knee\'s bounds',
];

/** The knee in a sentence (or that no rate was within its bounds). */
export function kneeText(runs: PhaseResult[]): string {
  const bounds = `commit-to-watcher p99 ≤ ${KNEE_P99_MS} ms, nothing lost, duplicated, out of order or before its commit, and the rate kept: answers at ≥ ${KEPT_SHARE * 100}% of it, none dropped`;
  const knee = kneeOf(runs);
  if (!knee) return `**The knee: none** — no offered rate was within its bounds (${bounds}).`;
  const c = knee.deliveries.latency!;
  return (
    `**The knee: ${fmt(knee.offeredPerSec!)} bids/s offered** (${fmt(knee.deliveries.perSec)} deliveries/s, commit-to-watcher p99 ${c.p99Ms.toFixed(1)} ms, ` +
    `daemon CPU ${knee.cpu.daemonUsPerDelivery} µs per delivery): the highest offered rate within the bounds (${bounds}).`
  );
}

// Each run's accepted bids, second by second.
function sparklines(runs: PhaseResult[]): string {
  return `Accepted bids per second, each second of each run:\n\n${runs.map((r) => `- ${runName(r)}: ${sparklineText(r.bids.acceptedEachSecond)}`).join('\n')}`;
}

function introText(o: LoadOptions, runs: PhaseResult[], limits: string): string {
  const shape =
    `${fmt(o.users)} users, one WebSocket each subscribed to ${o.perUser} of ${fmt(o.auctions)} open auctions ` +
    `(≈${fmt((o.users * o.perUser) / o.auctions)} watchers per auction)`;
  const processes = Math.max(...runs.map((r) => r.watcherProcesses), o.watcherProcesses);
  const watchers =
    `The watchers run in ${processes} child processes on a lean WebSocket reader of their own (no library; each frame's auction, version, \`at\` and bid read without a full JSON parse); ` +
    'the bid generator runs in the bench process; each run has a fresh daemon process.';
  if (o.rates.length) {
    const over =
      o.bidsOver === 'ws'
        ? `over the daemon's WebSocket at a fixed rate, one socket per bidder (${fmt(o.bidders)}, opened and welcomed before the clock starts, subscribed to nothing): ` +
          `bid i is written at its slot, start + i ÷ rate, as a bid frame with its own ref on its bidder's socket (a socket carries any number of bids at once, so no bid waits for a connection), ` +
          `and its latency counts from its slot to its reply.`
        : `over HTTP at a fixed rate: bid i is written at its slot, start + i ÷ rate, on a free keep-alive connection ` +
          `(more are opened when every one is busy, up to ${o.concurrency}), and its latency counts from its slot, so a bid that had to wait is timed with its wait.`;
    return (
      `${shape}, while an open loop fires bids ${over} ` +
      `${o.durationSec} s at each of ${o.rates.map(fmt).join(', ')} bids/s; ${o.bidders} bidders, a random auction per bid, amounts rising per auction. ${watchers} ${limits}`
    );
  }
  return (
    `${shape}, while autocannon fires bids over HTTP with ${o.concurrency} connections ` +
    `for ${o.durationSec} s: ${o.bidders} bidders, a random auction per bid, amounts rising per auction. ${watchers} ` +
    `The baselines fire the same bids straight at PostgreSQL with ${o.concurrency} connections for ${o.durationSec} s, before the daemon runs. ${limits}`
  );
}

/** The tables the run prints. */
export function markdownOf(o: LoadOptions, runs: PhaseResult[], base: Baselines, figures: Figure[], limits: string): string {
  const compare = compareText(o, runs, figures);
  const perAuction = runs.some((r) => r.mode === 'per-auction');
  const open = o.rates.length > 0;
  const sweep = runs.filter((r) => r.mode === 'multiplexed' && r.offeredPerSec !== undefined).length > 1;
  const targets = targetsTable(
    [...(open ? (sweep ? SWEEP_TARGETS : SWEEP_TARGETS.slice(2)) : TARGETS), ...crowdTargets(runs), ...(perAuction ? COMPARE_TARGETS : [])],
    figures,
  );
  const bids = open
    ? `**Open loop, by offered rate** (bid latency from each bid's slot; "from its write" is what a closed loop would have timed; ` +
      `daemon and watchers CPU per delivery over the run, the watcher processes standing for the users' machines)\n\n${table(RATE_HEADERS, rateRows(runs))}\n\n${kneeText(runs)}`
    : `**Bids**\n\n${table(['run', 'accepted bids/s', 'p50 ms', 'p99 ms', 'max ms', 'accepted', 'refused', 'daemon (one socket per user) ÷ this', 'machine load (1 min) at start → end'], bidRows(runs, base))}`;
  return [
    introText(o, runs, limits),
    bids,
    sparklines(runs),
    `**Deliveries** (every delivery, checked against the outbox; commit-to-watcher: from PostgreSQL's commit timestamp of the event's transaction ` +
      `to the frame's arrival in the watcher process; from \`at\`: from the moment the bid took effect inside its transaction, ` +
      `before the rest of its batch and the commit)\n\n` +
      table(['run', 'sockets', 'subscriptions', 'deliveries', 'deliveries/s', 'commit-to-watcher p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'from `at` p50 / p99 ms', 'lost', 'duplicated', 'out of order', 'not as in the outbox', 'received before the commit'], deliveryRows(runs)) +
      timingNote(runs),
    `**Cost** (CPU over the run, from the first bid to the last delivery)\n\n${table(['', ...runs.map(runName)], costRows(runs))}`,
    ...(compare ? [compare] : []),
    targets.markdown,
  ].join('\n\n');
}

/** A sweep's charts (two or more rates of the multiplexed run): latency against offered load, and deliveries against latency. */
export function chartsOf(o: LoadOptions, runs: PhaseResult[], when: string): ReportChart[] {
  const swept = runs.filter((r) => r.mode === 'multiplexed' && r.offeredPerSec !== undefined);
  if (swept.length < 2) return [];
  const points: RatePoint[] = swept.map((r) => ({
    offeredPerSec: r.offeredPerSec!,
    deliveriesPerSec: r.deliveries.perSec,
    commit: r.deliveries.latency,
    bid: r.bids.latency,
  }));
  const loads = swept.map((r) => r.bids.load[0]);
  const subtitle = [
    `${fmt(o.users)} users × ${o.perUser} of ${fmt(o.auctions)} auctions (≈${fmt((o.users * o.perUser) / o.auctions)} watchers each), ${o.durationSec} s a rate; ${when}`,
    `everything on the same 2 cores; machine load (1 min) ${Math.min(...loads)}–${Math.max(...loads)} at the runs' starts`,
  ];
  return [
    latencyVsOfferedChart(points, { title: 'bench load: latency against offered load', subtitle, boundMs: KNEE_P99_MS, kneePerSec: kneeOf(runs)?.offeredPerSec }),
    deliveriesVsLatencyChart(points, { title: 'bench load: deliveries against commit-to-watcher latency', subtitle, boundMs: KNEE_P99_MS }),
  ];
}

// The load scenario's report: its figures (for --compare), the problems that
// fail a run, and the markdown tables — bids beside the baselines, deliveries,
// the cost of each socket mode side by side, and the targets.
import { fmt, round1, table, targetsTable, type Figure, type Target } from '../harness/report.js';
import { refusedText } from '../load-gen/tally.js';
import type { Baselines, BidFigures, LoadOptions, PhaseResult } from './load-types.js';

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

/** What fails a run: any delivery fault, socket close, unexpected frame, bid error other than BID_TOO_LOW, or audit violation. */
export function phaseProblems(r: PhaseResult): string[] {
  const out: string[] = [];
  const d = r.deliveries;
  const faults: [string, number][] = [
    ['lost', d.lost], ['duplicated', d.duplicates], ['out of order', d.outOfOrder], ['not matching the outbox', d.mismatched],
    ['streams short of the last version', d.incomplete], ['committed events no watcher received', d.unseen], ['events not in the outbox', d.phantom],
  ];
  for (const [what, n] of faults) if (n > 0) out.push(`${r.mode}: ${fmt(n)} deliveries ${what}`);
  if (d.beforeCommit > 0) out.push(`${r.mode}: ${fmt(d.beforeCommit)} deliveries arrived before PostgreSQL's commit timestamp of their event`);
  for (const [what, n] of Object.entries(d.unexpected)) out.push(`${r.mode}: ${n} unexpected frames: ${what}`);
  for (const [code, n] of Object.entries(d.closes)) out.push(`${r.mode}: ${n} sockets closed by the daemon or the network (code ${code})`);
  if (r.bids.transportErrors) out.push(`${r.mode}: ${r.bids.transportErrors} bid connection errors`);
  for (const [code, n] of Object.entries(r.bids.refused)) if (code !== 'BID_TOO_LOW') out.push(`${r.mode}: bids refused with ${code} ${n} times`);
  if (r.auditViolations) out.push(`${r.mode}: the audit found ${r.auditViolations} violations`);
  if (r.bids.accepted === 0) out.push(`${r.mode}: no bid was accepted`);
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
    const k = `load.${r.mode}`;
    add(`${k}.acceptedPerSec`, r.bids.acceptedPerSec, 'bids/s', true);
    add(`${k}.bidP50Ms`, r.bids.latency.p50Ms, 'ms', false);
    add(`${k}.bidP99Ms`, r.bids.latency.p99Ms, 'ms', false);
    add(`${k}.deliveriesPerSec`, r.deliveries.perSec, 'deliveries/s', true);
    const c = r.deliveries.latency;
    if (c) {
      add(`${k}.commitToWatcherP50Ms`, c.p50Ms, 'ms', false);
      add(`${k}.commitToWatcherP99Ms`, c.p99Ms, 'ms', false);
      add(`${k}.commitToWatcherMaxMs`, c.maxMs, 'ms', false);
    }
    add(`${k}.atToWatcherP50Ms`, r.deliveries.fromAt.p50Ms, 'ms', false);
    add(`${k}.atToWatcherP99Ms`, r.deliveries.fromAt.p99Ms, 'ms', false);
    add(`${k}.deliveryFaults`, r.deliveries.lost + r.deliveries.duplicates + r.deliveries.outOfOrder + r.deliveries.mismatched + r.deliveries.unseen + r.deliveries.phantom, 'deliveries', false);
    add(`${k}.socketsPerUser`, r.sockets / r.users, 'sockets', false);
    add(`${k}.daemonPeakRssMb`, round1(r.memory.peak / MB), 'MB', false);
    add(`${k}.rssPerUserKb`, round1(r.memory.perUserIdle / 1024), 'KB', false);
    add(`${k}.daemonCpuPercent`, r.cpu.daemon, '%', false);
    add(`${k}.daemonCpuUsPerDelivery`, r.cpu.daemonUsPerDelivery, 'µs', false);
    add(`${k}.postgresConnections`, r.postgres.total, 'connections', false);
    for (const [name, b] of Object.entries(base) as [string, BidFigures][]) {
      if (b.acceptedPerSec > 0) add(`load.ratio.${r.mode}/${name}`, Math.round((r.bids.acceptedPerSec / b.acceptedPerSec) * 100) / 100, '×', true);
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

const label = (r: PhaseResult) => `daemon, ${r.mode === 'multiplexed' ? 'one socket per user' : 'one socket per auction'} (${fmt(r.users)} users)`;

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
      ...(d.latency ? [d.latency.p50Ms.toFixed(1), d.latency.p99Ms.toFixed(1), d.latency.maxMs.toFixed(1)] : ['n/a', 'n/a', 'n/a']),
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
    row('CPU of PostgreSQL / the watcher processes / autocannon', (r) => `${r.cpu.postgres ?? 'n/a'}% / ${r.cpu.watchers}% / ${r.cpu.generator}%`),
    row('bids per transaction (mean) and its time', (r) => `${r.inside.meanBatch}, ${r.inside.meanBatchMs} ms`),
    row('commit to frames handed to the sockets, in the daemon: p50 / p99', (r) => `${r.inside.commitToSend.p50} s / ${r.inside.commitToSend.p99} s`),
    row("the daemon's event-loop delay: p50 / p99", (r) => `${r.inside.loopDelayP50Ms} ms / ${r.inside.loopDelayP99Ms} ms`),
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

/** The tables the run prints. */
export function markdownOf(o: LoadOptions, runs: PhaseResult[], base: Baselines, figures: Figure[], limits: string): string {
  const compare = compareText(o, runs, figures);
  const perAuction = runs.some((r) => r.mode === 'per-auction');
  const targets = targetsTable([...TARGETS, ...(perAuction ? COMPARE_TARGETS : [])], figures);
  return [
    `${fmt(o.users)} users, one WebSocket each subscribed to ${o.perUser} of ${o.auctions} open auctions ` +
      `(≈${fmt((o.users * o.perUser) / o.auctions)} watchers per auction), while autocannon fires bids over HTTP with ${o.concurrency} connections ` +
      `for ${o.durationSec} s: ${o.bidders} bidders, a random auction per bid, amounts rising per auction. ` +
      `The watchers run in ${o.watcherProcesses} child processes on a lean WebSocket reader of their own (no library; each frame's auction, version, \`at\` and bid read without a full JSON parse); ` +
      'autocannon runs in the bench process; each run has a fresh daemon process. ' +
      `The baselines fire the same bids straight at PostgreSQL with ${o.concurrency} connections for ${o.durationSec} s, before the daemon runs. ${limits}`,
    `**Bids**\n\n${table(['run', 'accepted bids/s', 'p50 ms', 'p99 ms', 'max ms', 'accepted', 'refused', 'daemon (one socket per user) ÷ this', 'machine load (1 min) at start → end'], bidRows(runs, base))}`,
    `**Deliveries** (every delivery, checked against the outbox; commit-to-watcher: from PostgreSQL's commit timestamp of the event's transaction ` +
      `to the frame's arrival in the watcher process; from \`at\`: from the moment the bid took effect inside its transaction, ` +
      `before the rest of its batch and the commit)\n\n` +
      table(['run', 'sockets', 'subscriptions', 'deliveries', 'deliveries/s', 'commit-to-watcher p50 ms', 'p99 ms', 'max ms', 'from `at` p50 / p99 ms', 'lost', 'duplicated', 'out of order', 'not as in the outbox', 'received before the commit'], deliveryRows(runs)) +
      timingNote(runs),
    `**Cost** (CPU over the run, from the first bid to the last delivery)\n\n${table(['', ...runs.map((r) => r.mode)], costRows(runs))}`,
    ...(compare ? [compare] : []),
    targets.markdown,
  ].join('\n\n');
}

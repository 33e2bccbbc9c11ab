// TUI under load: a real `neighborbid tui` process in a pseudo-terminal,
// watching 20 auctions that receive 50 bid events per second in total, while
// the bench presses keys and times how long each takes to show on screen.
// Prints key-to-frame latency (p50/p99), the TUI process's CPU and how many
// frames it drew per second (it batches, so far fewer than events).
//
//   node dist/bench/probes/tui-load.js [--seconds 30] [--rate 50] [--auctions 20]
//
// Uses DATABASE_URL when set, else an embedded PostgreSQL in a temp directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { Auction } from '../../src/protocol/types.js';
import { HttpClient } from '../../src/client/http-client.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { binPath } from '../harness/paths.js';
import { cpuSeconds } from '../measure/cpu.js';
import { percentile } from '../measure/histogram.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    rate: { type: 'string', default: '50' },
    auctions: { type: 'string', default: '20' },
  },
});
const seconds = Math.min(600, Math.max(5, Number(values.seconds)));
const rate = Math.min(1000, Math.max(1, Number(values.rate)));
const auctionCount = Math.min(30, Math.max(1, Number(values.auctions)));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cpuOf = async (pid: number) => (await cpuSeconds(pid)) ?? NaN;

async function childPid(pid: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const kids = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).trim();
    if (kids) return Number(kids.split(' ')[0]);
    await sleep(25);
  }
  throw new Error('the TUI process did not start');
}

/** The auctions on screen, a viewer to watch them, and two bidders' clients. */
interface Market {
  auctions: Auction[];
  viewerToken: string;
  bidClients: HttpClient[];
}

async function makeMarket(url: string, adminToken: string, clients: HttpClient[]): Promise<Market> {
  const keep = (c: HttpClient) => (clients.push(c), c);
  const admin = keep(new HttpClient({ url, token: adminToken, keepAlive: true }));
  const seller = await admin.createUser('bench seller');
  const viewer = await admin.createUser('bench viewer', 1_000_000);
  const bidders = await Promise.all([0, 1].map((i) => admin.createUser(`bench bidder ${i}`, 1_000_000_000)));
  const sellerClient = keep(new HttpClient({ url, token: seller.token, keepAlive: true }));
  const auctions = [];
  for (let i = 0; i < auctionCount; i++) {
    auctions.push(
      await sellerClient.createAuction({
        title: `Load lot ${String(i + 1).padStart(2, '0')}`,
        startPrice: 100,
        minIncrement: 1,
        durationSec: seconds + 600 + i * 10,
      }),
    );
  }
  const bidClients = bidders.map((b) => keep(new HttpClient({ url, token: b.token, keepAlive: true })));
  return { auctions, viewerToken: viewer.token, bidClients };
}

/** What the TUI has drawn so far, with when each chunk arrived. */
class Screen {
  out = '';
  readonly arrivals: { at: number; offset: number }[] = [];

  constructor(tui: ChildProcess) {
    tui.stdout!.on('data', (c: Buffer) => {
      this.out += c.toString('utf8');
      this.arrivals.push({ at: performance.now(), offset: this.out.length });
    });
  }

  async waitFor(text: string, from = 0, ms = 30_000): Promise<void> {
    const deadline = performance.now() + ms;
    while (this.out.indexOf(text, from) < 0) {
      if (performance.now() > deadline) throw new Error(`the TUI never showed "${text}"`);
      await sleep(5);
    }
  }

  /** Frames drawn so far: each shows the selection's position, "n/total". */
  frames(): number {
    return (this.out.match(new RegExp(`\\d+/${auctionCount}`, 'g')) ?? []).length;
  }
}

// The real TUI in a pseudo-terminal big enough to show (and so subscribe to) every auction.
function spawnTui(url: string, token: string): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
  const command = `stty rows 40 cols 120; exec ${process.execPath} ${binPath()} tui --url ${url} --token ${token}`;
  return spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
}

/** Bids at `rate` per second until `end`, round-robin over the auctions, alternating bidders. */
async function bidUntil(m: Market, start: number, end: number): Promise<{ accepted: number; rejected: number }> {
  const next = m.auctions.map(() => 100);
  let sent = 0;
  let accepted = 0;
  let rejected = 0;
  const inflight = new Set<Promise<void>>();
  while (performance.now() < end) {
    const due = start + (sent * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const i = sent % m.auctions.length;
    const amount = next[i]!;
    next[i] = amount + 1;
    const p = m.bidClients[Math.floor(sent / m.auctions.length) % 2]!.bid(m.auctions[i]!.id, amount).then(
      () => void accepted++,
      () => void rejected++,
    );
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    sent++;
  }
  await Promise.all(inflight);
  return { accepted, rejected };
}

/** Alternates j and k every 250 ms until shortly before `end`; each key is answered when the header shows the new position. */
async function pressKeys(tui: ChildProcess, screen: Screen, end: number): Promise<number[]> {
  const latencies: number[] = [];
  let down = true;
  await sleep(500);
  while (performance.now() < end - 500) {
    const expect = `${down ? 2 : 1}/${auctionCount}`;
    const from = screen.out.length;
    const sentAt = performance.now();
    tui.stdin!.write(down ? 'j' : 'k');
    try {
      await screen.waitFor(expect, from, 5000);
      const offset = screen.out.indexOf(expect, from);
      const arrival = screen.arrivals.find((a) => a.offset > offset);
      latencies.push((arrival?.at ?? performance.now()) - sentAt);
    } catch {
      latencies.push(5000);
    }
    down = !down;
    await sleep(250);
  }
  return latencies.sort((a, b) => a - b);
}

interface Findings {
  auctions: number;
  accepted: number;
  rejected: number;
  elapsed: number;
  latencies: number[];
  cpu: number;
  idleCpu: number;
  frames: number;
  code: number | null;
}

function printFindings(f: Findings): void {
  const { latencies, elapsed, accepted, cpu } = f;
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  console.log(`tui-load: ${f.auctions} auctions on screen, ${(accepted / elapsed).toFixed(1)} bid events/s for ${elapsed.toFixed(1)} s (${accepted} accepted, ${f.rejected} rejected)`);
  console.log(`key-to-frame latency: p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies.at(-1) ?? NaN)} over ${latencies.length} keys`);
  console.log(`TUI process CPU: ${(cpu * 100).toFixed(1)}% of one core under load, ${(f.idleCpu * 100).toFixed(1)}% idle`);
  console.log(`frames drawn: ${(f.frames / elapsed).toFixed(1)}/s for ${(accepted / elapsed).toFixed(1)} events/s (batched)`);
  console.log(`TUI exit code ${f.code}; machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (other processes share the cores)`);
  const ok = percentile(latencies, 99) <= 100 && cpu < 0.5;
  console.log(ok ? 'within budget: keys under 100 ms at p99, under half a core' : 'OVER BUDGET: keys over 100 ms at p99 or over half a core');
  process.exitCode = ok ? 0 : 1;
}

// Idle CPU first, then the load with keys pressed meanwhile; quits the TUI at the end.
async function measure(tui: ChildProcess, m: Market): Promise<Findings> {
  const screen = new Screen(tui);
  await screen.waitFor('● live');
  await screen.waitFor(`Load lot ${String(auctionCount).padStart(2, '0')}`);
  await screen.waitFor(`1/${auctionCount}`);
  const pid = await childPid(tui.pid!);
  await sleep(1500);
  const idleStart = await cpuOf(pid);
  await sleep(3000);
  const idleCpu = ((await cpuOf(pid)) - idleStart) / 3;

  const start = performance.now();
  const end = start + seconds * 1000;
  const cpuStart = await cpuOf(pid);
  const framesStart = screen.frames();
  const load = bidUntil(m, start, end);
  const latencies = await pressKeys(tui, screen, end);
  const { accepted, rejected } = await load;
  const elapsed = (performance.now() - start) / 1000;
  const cpu = ((await cpuOf(pid)) - cpuStart) / elapsed;
  const frames = screen.frames() - framesStart;
  tui.stdin!.write('q');
  const code = await new Promise<number | null>((r) => tui.once('exit', r));
  return { auctions: m.auctions.length, accepted, rejected, elapsed, latencies, cpu, idleCpu, frames, code };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'nb-bench-tui-'));
  const daemon = await startDaemon({
    port: 0,
    dataDir: dir,
    databaseUrl: process.env.DATABASE_URL,
    adminToken: `nb_admin_bench_${randomBytes(8).toString('hex')}`,
    logger: pino({ level: 'silent' }),
    // Two bidders at full speed from one address: the limits per peer would throttle the load itself.
    rateLimit: false,
    maxConnectionsPerIp: 0,
    maxSocketsPerIp: 0,
  });
  let tui: ChildProcess | undefined;
  const clients: HttpClient[] = [];
  try {
    const market = await makeMarket(daemon.url, daemon.adminToken, clients);
    tui = spawnTui(daemon.url, market.viewerToken);
    printFindings(await measure(tui, market));
  } finally {
    if (tui && tui.exitCode === null) tui.kill('SIGTERM');
    for (const c of clients) c.close();
    await daemon.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

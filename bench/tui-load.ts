// TUI under load: a real `neighborbid tui` process in a pseudo-terminal,
// watching 20 auctions that receive 50 bid events per second in total, while
// the bench presses keys and times how long each takes to show on screen.
// Prints key-to-frame latency (p50/p99), the TUI process's CPU and how many
// frames it drew per second (it batches, so far fewer than events).
//
//   node dist/bench/tui-load.js [--seconds 30] [--rate 50] [--auctions 20]
//
// Uses DATABASE_URL when set, else an embedded PostgreSQL in a temp directory.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { HttpClient } from '../src/client/http-client.js';
import { startDaemon } from '../src/daemon/daemon.js';

const BIN = resolve(import.meta.dirname, '../../bin/neighborbid.js');
const CLK_TCK = 100;

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

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** utime + stime of a process, in clock ticks. */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function childPid(pid: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const kids = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).trim();
    if (kids) return Number(kids.split(' ')[0]);
    await sleep(25);
  }
  throw new Error('the TUI process did not start');
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
  let tui: ReturnType<typeof spawn> | undefined;
  const clients: HttpClient[] = [];
  try {
    const admin = new HttpClient({ url: daemon.url, token: daemon.adminToken, keepAlive: true });
    clients.push(admin);
    const seller = await admin.createUser('bench seller');
    const viewer = await admin.createUser('bench viewer', 1_000_000);
    const bidders = await Promise.all([0, 1].map((i) => admin.createUser(`bench bidder ${i}`, 1_000_000_000)));
    const sellerClient = new HttpClient({ url: daemon.url, token: seller.token, keepAlive: true });
    clients.push(sellerClient);
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
    const bidClients = bidders.map((b) => {
      const c = new HttpClient({ url: daemon.url, token: b.token, keepAlive: true });
      clients.push(c);
      return c;
    });

    // A terminal big enough to show (and so subscribe to) every auction.
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
    const command = `stty rows 40 cols 120; exec ${process.execPath} ${BIN} tui --url ${daemon.url} --token ${viewer.token}`;
    tui = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const arrivals: { at: number; offset: number }[] = [];
    tui.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      arrivals.push({ at: performance.now(), offset: out.length });
    });
    const waitFor = async (text: string, from = 0, ms = 30_000) => {
      const deadline = performance.now() + ms;
      while (out.indexOf(text, from) < 0) {
        if (performance.now() > deadline) throw new Error(`the TUI never showed "${text}"`);
        await sleep(5);
      }
    };
    await waitFor('● live');
    await waitFor(`Load lot ${String(auctionCount).padStart(2, '0')}`);
    await waitFor(`1/${auctionCount}`);
    const pid = await childPid(tui.pid!);
    await sleep(1500);

    const idleStart = await cpuTicks(pid);
    await sleep(3000);
    const idleCpu = ((await cpuTicks(pid)) - idleStart) / CLK_TCK / 3;

    // Load: bids at `rate` per second, round-robin over the auctions, alternating bidders.
    const next = auctions.map(() => 100);
    let sent = 0;
    let accepted = 0;
    let rejected = 0;
    const inflight = new Set<Promise<void>>();
    const start = performance.now();
    const end = start + seconds * 1000;
    const cpuStart = await cpuTicks(pid);
    const frameMark = new RegExp(`\\d+/${auctionCount}`, "g");
    const framesStart = (out.match(frameMark) ?? []).length;
    const loader = (async () => {
      while (performance.now() < end) {
        const due = start + (sent * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const i = sent % auctions.length;
        const amount = next[i]!;
        next[i] = amount + 1;
        const p = bidClients[Math.floor(sent / auctions.length) % 2]!.bid(auctions[i]!.id, amount).then(
          () => void accepted++,
          () => void rejected++,
        );
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
        sent++;
      }
    })();

    // Keys: alternate j and k every 250 ms; each is answered when the header shows the new position.
    const latencies: number[] = [];
    let down = true;
    await sleep(500);
    while (performance.now() < end - 500) {
      const expect = `${down ? 2 : 1}/${auctionCount}`;
      const from = out.length;
      const sentAt = performance.now();
      tui.stdin!.write(down ? 'j' : 'k');
      try {
        await waitFor(expect, from, 5000);
        const offset = out.indexOf(expect, from);
        const arrival = arrivals.find((a) => a.offset > offset);
        latencies.push((arrival?.at ?? performance.now()) - sentAt);
      } catch {
        latencies.push(5000);
      }
      down = !down;
      await sleep(250);
    }
    await loader;
    await Promise.all(inflight);
    const elapsed = (performance.now() - start) / 1000;
    const cpu = ((await cpuTicks(pid)) - cpuStart) / CLK_TCK / elapsed;
    const frames = (out.match(frameMark) ?? []).length - framesStart;

    tui.stdin!.write('q');
    const code = await new Promise<number | null>((r) => tui!.once('exit', r));
    latencies.sort((a, b) => a - b);
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    console.log(`tui-load: ${auctions.length} auctions on screen, ${(accepted / elapsed).toFixed(1)} bid events/s for ${elapsed.toFixed(1)} s (${accepted} accepted, ${rejected} rejected)`);
    console.log(`key-to-frame latency: p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies.at(-1) ?? NaN)} over ${latencies.length} keys`);
    console.log(`TUI process CPU: ${(cpu * 100).toFixed(1)}% of one core under load, ${(idleCpu * 100).toFixed(1)}% idle`);
    console.log(`frames drawn: ${(frames / elapsed).toFixed(1)}/s for ${(accepted / elapsed).toFixed(1)} events/s (batched)`);
    console.log(`TUI exit code ${code}; machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (other processes share the cores)`);
    const ok = percentile(latencies, 99) <= 100 && cpu < 0.5;
    console.log(ok ? 'within budget: keys under 100 ms at p99, under half a core' : 'OVER BUDGET: keys over 100 ms at p99 or over half a core');
    process.exitCode = ok ? 0 : 1;
  } finally {
    if (tui && tui.exitCode === null) tui.kill('SIGTERM');
    for (const c of clients) c.close();
    await daemon.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

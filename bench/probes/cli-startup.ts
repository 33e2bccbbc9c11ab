// Measures `neighborbid bid` from process start to exit against a local daemon:
// starts a daemon (embedded PostgreSQL in a temporary directory, or DATABASE_URL
// when set), makes a seller, a bidder and an auction, then runs the real CLI N
// times and prints the median, p90 and max. Stops everything it started.
//
//   npm run bench:cli -- [--runs 30]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpClient } from '../../src/client/http-client.js';
import { binPath } from '../harness/paths.js';
import { percentile } from '../measure/histogram.js';

const BIN = binPath();
const TARGET_MS = 150;
const WARMUP = 3;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const n = i === -1 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`${name} must be a whole number from 1 to 1000`);
  return n;
}

/** Starts `neighborbid daemon` and resolves with its URL once it listens. */
function startDaemon(dataDir: string): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, [BIN, 'daemon', '--port', '0', '--data-dir', dataDir, '--log-level', 'info'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const url = new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the daemon did not start within 120 s:\n${log}`)), 120_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const m = /"url":"(http:\/\/[^"]+)".*"msg":"listening"/.exec(log);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the daemon exited with ${code} before listening:\n${log}`));
    });
  });
  return { child, url };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(child.pid!, 'SIGTERM');
  const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** Wall time of one process run, from spawn to exit, in milliseconds. */
function timeRun(args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return ms;
}

function summary(times: number[]): { median: number; p90: number; max: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p90: percentile(sorted, 90), max: sorted[sorted.length - 1]! };
}

async function main(): Promise<void> {
  const runs = flag('--runs', 30);
  const dir = await mkdtemp(join(tmpdir(), 'nb-bench-cli-'));
  const daemon = startDaemon(dir);
  try {
    const url = await daemon.url;
    const adminToken = process.env.NEIGHBORBID_ADMIN_TOKEN ?? (await readFile(join(dir, 'admin-token'), 'utf8')).trim();
    const admin = new HttpClient({ url, token: adminToken });
    const seller = await admin.createUser('bench-seller');
    const bidder = await admin.createUser('bench-bidder', 1_000_000_000);
    const auction = await new HttpClient({ url, token: seller.token }).createAuction({
      title: 'CLI startup bench',
      startPrice: 100,
      minIncrement: 1,
      durationSec: 3600,
    });

    // Only what a user would have: no config file, the URL and token in the environment.
    const env = { ...process.env, NEIGHBORBID_URL: url, NEIGHBORBID_TOKEN: bidder.token, XDG_CONFIG_HOME: dir };
    // Bare `node -e 0` runs interleaved with the CLI's, so both see the same load
    // on a shared machine and their difference is what the CLI itself costs.
    let amount = 100;
    const times: number[] = [];
    const node: number[] = [];
    for (let i = 0; i < WARMUP + runs; i++) {
      const bare = timeRun(['-e', '0'], env);
      const ms = timeRun([BIN, 'bid', String(auction.id), String(amount)], env);
      amount += 1;
      if (i >= WARMUP) {
        times.push(ms);
        node.push(bare);
      }
    }

    const s = summary(times);
    const final = await admin.auction(auction.id);
    if (final.bidCount !== WARMUP + runs) throw new Error(`expected ${WARMUP + runs} bids, the auction has ${final.bidCount}`);
    const f = (n: number) => `${n.toFixed(0)} ms`;
    console.log(`neighborbid bid, process start to exit, ${runs} runs against ${url}:`);
    console.log(`  median ${f(s.median)}   p90 ${f(s.p90)}   max ${f(s.max)}`);
    console.log(`  (node -e 0 alone, interleaved: median ${f(summary(node).median)}; the CLI adds ${f(s.median - summary(node).median)})`);
    console.log(`  target: median under ${TARGET_MS} ms: ${s.median < TARGET_MS ? 'met' : 'NOT met'}`);
  } finally {
    await stop(daemon.child);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

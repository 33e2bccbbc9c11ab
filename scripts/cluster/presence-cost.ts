// What "N watching" costs a daemon (docs/scaling.md): one daemon on the embedded
// PostgreSQL with 10,000 watchers (SocketClients in watcher processes, 20 of 100
// auctions each: 200,000 subscriptions), run twice: presence off
// (NEIGHBORBID_PRESENCE_MS=0) and on (watchers asking for presence frames).
// Each run measures the daemon's CPU (from /proc) while the watchers sit still,
// then while some leave and come back (every other second), which changes the
// count of nearly every auction every second: every watcher then gets a
// presence frame per watched auction per second, the most presence can send.
//   npm run build && node dist/scripts/cluster/presence-cost.js [--watchers 10000] [--seconds 20] [--churn 50]
// For a profile of the daemon: NB_COST_DAEMON_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { HttpClient } from '../../src/client/http-client.js';
import { startEmbeddedPostgres } from '../../src/daemon/db/embedded-postgres.js';
import { packageRoot } from './paths.js';
import { freePort, startProcess } from './process.js';
import { openWatchers } from './watchers.js';

const { values } = parseArgs({ options: { watchers: { type: 'string' }, seconds: { type: 'string' }, churn: { type: 'string' }, processes: { type: 'string' } } });
const WATCHERS = Number(values.watchers ?? 10_000);
const SECONDS = Number(values.seconds ?? 20);
const CHURN = Number(values.churn ?? 50);
const PROCESSES = Number(values.processes ?? 4);
const AUCTIONS = 100;
const PER_WATCHER = 20;
const TICKS = 100; // USER_HZ on Linux

/** CPU seconds a process has used so far (user + system). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Math.round(Number(line.split(/\s+/)[1]) / 1024);
}

async function presenceFrames(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('nb_ws_events_fanned_out_total{kind="presence"}'));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** The daemon's CPU, as a share of one core, over `seconds`. */
async function cpuOver(pid: number, seconds: number): Promise<number> {
  const before = cpuSeconds(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return (cpuSeconds(pid) - before) / ((performance.now() - t0) / 1000);
}

interface Run {
  presence: boolean;
  still: number;
  churning: number;
  framesPerSec: number;
  rss: number;
}

async function run(adminUrl: string, dir: string, presence: boolean): Promise<Run> {
  const name = `nb_cost_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const port = await freePort();
  const token = `nb_admin_${randomBytes(12).toString('hex')}`;
  const daemon = await startProcess(
    process.execPath,
    [...(process.env.NB_COST_DAEMON_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []), join(packageRoot(), 'bin', 'neighborbid.js'), 'daemon', '--port', String(port), '--data-dir', join(dir, name), '--database-url', u.toString(),
      '--max-sockets-per-ip', '0', '--max-connections-per-ip', '0', '--rate-limit', '0', '--log-level', 'warn'],
    { logFile: join(dir, `${name}.log`), port, env: { ...process.env, NEIGHBORBID_ADMIN_TOKEN: token, NEIGHBORBID_PRESENCE_MS: presence ? '1000' : '0' }, timeoutMs: 90_000 },
  );
  const url = `http://127.0.0.1:${port}`;
  let watchers;
  try {
    const seller = await new HttpClient({ url, token }).createUser('seller');
    const client = new HttpClient({ url, token: seller.token });
    const ids: number[] = [];
    for (let i = 0; i < AUCTIONS; i++) ids.push((await client.createAuction({ title: `lot ${i}`, startPrice: 100, minIncrement: 10, durationSec: 3600 })).id);
    const specs = Array.from({ length: WATCHERS }, (_, w) => Array.from({ length: PER_WATCHER }, (_, k) => ids[(w + k * 5) % AUCTIONS]!));
    process.stderr.write(`presence ${presence ? 'on' : 'off'}: opening ${WATCHERS} watchers…\n`);
    watchers = await openWatchers(url, specs, PROCESSES, presence);
    await new Promise((r) => setTimeout(r, 5000));
    const still = await cpuOver(daemon.pid, SECONDS);
    await watchers.churn(CHURN);
    await new Promise((r) => setTimeout(r, 3000));
    const frames0 = await presenceFrames(url);
    const t0 = performance.now();
    const churning = await cpuOver(daemon.pid, SECONDS);
    const framesPerSec = ((await presenceFrames(url)) - frames0) / ((performance.now() - t0) / 1000);
    await watchers.churn(0);
    return { presence, still, churning, framesPerSec, rss: rssMb(daemon.pid) };
  } finally {
    await watchers?.close();
    await daemon.stop('SIGTERM');
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'nb-presence-cost-'));
if (process.getuid?.() === 0) await chmod(dir, 0o711);
const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg') });
try {
  const runs = [await run(pg.adminUrl, dir, false), await run(pg.adminUrl, dir, true)];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  process.stdout.write(
    [
      `${WATCHERS.toLocaleString('en-US')} watchers × ${PER_WATCHER} of ${AUCTIONS} auctions on one daemon; ${SECONDS} s per measure; churn: ${CHURN} watchers leave, then come back, every other second`,
      '',
      '| presence | daemon CPU, watchers still | daemon CPU, churn | presence frames/s | daemon RSS |',
      '| --- | --- | --- | --- | --- |',
      ...runs.map((r) => `| ${r.presence ? 'on' : 'off'} | ${pct(r.still)} | ${pct(r.churning)} | ${Math.round(r.framesPerSec).toLocaleString('en-US')} | ${r.rss} MB |`),
      '',
      `presence costs ${pct(runs[1]!.still - runs[0]!.still)} of a core with the watchers still, ${pct(runs[1]!.churning - runs[0]!.churning)} while they come and go (100% = one core)`,
      '',
    ].join('\n'),
  );
} finally {
  await pg.stop();
  await rm(dir, { recursive: true, force: true });
}

// Does NOTIFY inside the bid transaction cost bid throughput? PostgreSQL takes
// a global lock to queue a transaction's notifications at commit, so every
// committing transaction that notifies is serialised with the others. This
// measures the daemon's real bid transaction (nb_place_bids) three ways, with
// 16 concurrent connections and one LISTENing connection, on a fresh cluster:
//
//   no NOTIFY        the bid transaction alone
//   NOTIFY inside    the same transaction also pg_notify()s its events
//   NOTIFY after     the hub's design: the transaction alone, then one coalesced
//                    NOTIFY per flush on a separate connection, after commit
//
// Run: npm run build && node dist/bench/probes/notify-cost.js [seconds-per-run] [rounds]
// (DATABASE_URL to use a server of your own; otherwise an embedded one in a temp dir).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { openDatabase, type Sql } from '../../src/daemon/db/database.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/daemon/db/embedded-postgres.js';
import { migrate } from '../../src/daemon/db/migrate.js';

const CLIENTS = 16;
const CHANNEL = 'nb_bench';
type Variant = 'no NOTIFY' | 'NOTIFY inside' | 'NOTIFY after';
const VARIANTS: Variant[] = ['no NOTIFY', 'NOTIFY inside', 'NOTIFY after'];

async function setup(sql: Sql): Promise<{ auctions: number[]; hot: number; bidders: number[] }> {
  await migrate(sql);
  // Always a valid bid: the next minimum, read under the auction's lock, then the real rule.
  await sql.unsafe(`
    CREATE OR REPLACE FUNCTION bench_bid(p_auction bigint, p_bidder bigint) RETURNS jsonb LANGUAGE plpgsql AS $$
    DECLARE v bigint;
    BEGIN
      SELECT coalesce(current_price + min_increment, start_price) INTO v FROM auctions WHERE id = p_auction FOR UPDATE;
      RETURN nb_place_bids(p_auction, jsonb_build_array(jsonb_build_object('bidderId', p_bidder, 'amount', v)));
    END $$`);
  const users = await sql<{ id: number }[]>`
    INSERT INTO users (name, token_hash, balance)
    SELECT 'bench' || g, decode(md5(random()::text || g), 'hex'), 1000000000000 FROM generate_series(1, ${CLIENTS + 1}) g
    RETURNING id`;
  const seller = users[0]!.id;
  const auctions = await sql<{ id: number }[]>`
    INSERT INTO auctions (seller_id, title, start_price, min_increment, ends_at)
    SELECT ${seller}, 'lot ' || g, 100, 1, now() + interval '1 day' FROM generate_series(1, 1001) g
    RETURNING id`;
  return { auctions: auctions.slice(1).map((a) => a.id), hot: auctions[0]!.id, bidders: users.slice(1).map((u) => u.id) };
}

/** One coalescing notifier, as the hub's: a flush in flight collects the next flush's versions. */
function coalescer(sql: Sql) {
  let pending = new Map<number, number>();
  let running = false;
  const drain = async () => {
    while (pending.size > 0) {
      const batch = pending;
      pending = new Map();
      await sql`SELECT pg_notify(${CHANNEL}, ${JSON.stringify([...batch])})`;
    }
    running = false;
  };
  return (auction: number, version: number) => {
    pending.set(auction, Math.max(version, pending.get(auction) ?? 0));
    if (!running) {
      running = true;
      setImmediate(() => void drain());
    }
  };
}

async function run(sql: Sql, notifySql: Sql, variant: Variant, pick: () => number, bidders: number[], seconds: number): Promise<number> {
  const notify = coalescer(notifySql);
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    bidders.map(async (bidder) => {
      while (performance.now() < deadline) {
        const auction = pick();
        if (variant === 'NOTIFY inside') {
          await sql`SELECT pg_notify(${CHANNEL}, (r->'events')::text) FROM (SELECT bench_bid(${auction}, ${bidder}) AS r) x`;
        } else {
          const [row] = await sql<{ r: { events: { payload: { version: number } }[] } }[]>`SELECT bench_bid(${auction}, ${bidder}) AS r`;
          const last = row!.r.events.at(-1);
          if (variant === 'NOTIFY after' && last) notify(auction, last.payload.version);
        }
        done++;
      }
    }),
  );
  return done / seconds;
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 8);
  const rounds = Number(process.argv[3] ?? 2);
  let embedded: EmbeddedPostgres | undefined;
  let dir: string | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    dir = await mkdtemp(join(tmpdir(), 'nb-notify-cost-'));
    embedded = await startEmbeddedPostgres({ dataDir: dir });
    url = embedded.url;
  }
  const sql = openDatabase({ url, max: CLIENTS, applicationName: 'nb-bench-notify' });
  const notifySql = openDatabase({ url, max: 1, applicationName: 'nb-bench-notify-after' });
  const listener = postgres(url, { max: 1, onnotice: () => {} });
  let heard = 0;
  try {
    const { auctions, hot, bidders } = await setup(sql);
    await listener.listen(CHANNEL, () => heard++);
    const [{ version }] = (await sql`SELECT current_setting('server_version') AS version`) as unknown as [{ version: string }];
    console.log(`PostgreSQL ${version}; ${CLIENTS} connections bidding; ${seconds} s per run; bids per second:`);
    const scenarios: [string, () => number][] = [
      ['1,000 auctions', () => auctions[Math.floor(Math.random() * auctions.length)]!],
      ['one hot auction', () => hot],
    ];
    for (const [name, pick] of scenarios) {
      const results = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
      // Interleaved rounds, so drift on a shared machine touches every variant alike.
      for (let r = 0; r < rounds; r++) {
        for (const v of VARIANTS) results.get(v)!.push(await run(sql, notifySql, v, pick, bidders, seconds));
      }
      for (const v of VARIANTS) {
        const tps = results.get(v)!;
        console.log(`  ${name.padEnd(16)} ${v.padEnd(14)} ${tps.map((t) => t.toFixed(0).padStart(6)).join(' ')}`);
      }
    }
    console.log(`(notifications heard by the listener: ${heard})`);
  } finally {
    await listener.end({ timeout: 2 });
    await sql.end({ timeout: 2 });
    await notifySql.end({ timeout: 2 });
    await embedded?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

await main();

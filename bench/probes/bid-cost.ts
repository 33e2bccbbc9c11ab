// Where a bid transaction's PostgreSQL time goes (issue 17). A fresh embedded
// PostgreSQL with pg_stat_statements (nested statements too) and
// track_functions, the daemon's migrations and rules, and one connection
// calling the rules back to back, as the bid queue does, in four shapes:
//
//   single   nb_place_bids with one bid, a random one of 100 auctions (the
//            knee of `bench load`: one bid per transaction)
//   multi3   nb_place_bids_multi with one bid on each of 3 auctions
//   multi8   the same with 8 (`bench load` at 1,200 bids/s: 6–14 bids a group)
//   hot64    nb_place_bids with 64 bids on one auction (`bench hot`)
//
// Every bid is valid (the probe knows each price: it is the only bidder) and
// changes the leader, so each makes an outbid, a hold, a release and two
// balance events, as under `bench load`. Per shape it prints the wall time
// and the CPU of all the server's processes per transaction and per bid, and
// the statements and functions that took the time (pg_stat_statements and
// pg_stat_user_functions, reset before each shape).
//
// Run: npm run build && node dist/bench/probes/bid-cost.js [seconds-per-shape] [rounds] [shapes]
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Sql } from '../../src/daemon/db/database.js';
import { startEmbeddedPostgres } from '../../src/daemon/db/embedded-postgres.js';
import { migrate } from '../../src/daemon/db/migrate.js';
import { installRules } from '../../src/daemon/rules/install.js';
import { RULES_VERSION } from '../../src/daemon/rules/sql/index.js';
import { treeCpuSeconds } from '../measure/cpu.js';

const AUCTIONS = 100;
const USERS = 200;

interface Shape {
  name: string;
  bidsPerTxn: number;
  call: (sql: Sql) => Promise<unknown>;
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 5);
  const rounds = Number(process.argv[3] ?? 1);
  const only = process.argv[4]?.split(',');
  const dir = await mkdtemp(join(tmpdir(), 'nb-bid-cost-'));
  const pg = await startEmbeddedPostgres({
    dataDir: dir,
    settings: {
      shared_preload_libraries: 'pg_stat_statements',
      'pg_stat_statements.track': 'all',
      'pg_stat_statements.track_planning': 'on',
      track_functions: 'all',
    },
  });
  const sql = openDatabase({ url: pg.url, max: 1, applicationName: 'nb-bid-cost' });
  try {
    await migrate(sql, (tx) => installRules(tx, 'probe').then(() => {}));
    await sql`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`;
    const users = (await sql<{ id: number }[]>`
      INSERT INTO users (name, token_hash, balance)
      SELECT 'u' || g, decode(md5(g::text), 'hex'), 1000000000000 FROM generate_series(1, ${USERS + 1}) g RETURNING id`).map((u) => u.id);
    const seller = users.shift()!;
    const auctions = (await sql<{ id: number }[]>`
      INSERT INTO auctions (seller_id, title, start_price, min_increment, ends_at)
      SELECT ${seller}, 'lot ' || g, 100, 1, now() + interval '1 day' FROM generate_series(1, ${AUCTIONS}) g RETURNING id`).map((a) => a.id);
    const price = new Map<number, number>(auctions.map((a) => [a, 99]));
    const leader = new Map<number, number>();
    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
    // A bidder who does not lead the auction, at the next valid amount.
    const bidOn = (auction: number) => {
      let bidder = pick(users);
      while (bidder === leader.get(auction)) bidder = pick(users);
      leader.set(auction, bidder);
      const amount = price.get(auction)! + 1;
      price.set(auction, amount);
      return { bidderId: bidder, amount, max: false, key: null, hash: null };
    };
    const shapes: Shape[] = [
      {
        name: 'single',
        bidsPerTxn: 1,
        call: (s) => {
          const a = pick(auctions);
          return s`SELECT nb_place_bids(${a}, ${s.json([bidOn(a)])}, ${RULES_VERSION}) AS r`;
        },
      },
      ...[3, 8].map((n) => ({
        name: `multi${n}`,
        bidsPerTxn: n,
        call: (s: Sql) => {
          const first = Math.floor(Math.random() * (AUCTIONS - n));
          const parts = auctions.slice(first, first + n).map((a) => ({ auction: a, bids: [bidOn(a)] }));
          return s`SELECT nb_place_bids_multi(${s.json(parts)}, ${RULES_VERSION}) AS r`;
        },
      })),
      {
        name: 'hot64',
        bidsPerTxn: 64,
        call: (s) => {
          const a = auctions[0]!;
          return s`SELECT nb_place_bids(${a}, ${s.json(Array.from({ length: 64 }, () => bidOn(a)))}, ${RULES_VERSION}) AS r`;
        },
      },
    ];
    if (process.env.NB_EXPLAIN) {
      // Every statement of a few transactions, nested ones too, with its plan and times, into the server's log.
      await sql`LOAD 'auto_explain'`;
      await sql`SELECT set_config('auto_explain.log_min_duration', '0', false), set_config('auto_explain.log_analyze', 'on', false),
                       set_config('auto_explain.log_nested_statements', 'on', false)`;
      for (const shape of shapes) for (let i = 0; i < 3; i++) await shape.call(sql);
      console.log(`plans in ${join(dir, 'postgres.log')}`);
      await new Promise((r) => setTimeout(r, Number(process.env.NB_EXPLAIN) * 1000));
      return;
    }
    const [{ v }] = (await sql`SELECT current_setting('server_version') AS v`) as unknown as [{ v: string }];
    console.log(`PostgreSQL ${v}, rules version ${RULES_VERSION}, one connection, ${seconds} s per shape`);
    for (let round = 0; round < rounds; round++) {
      for (const shape of shapes.filter((s) => !only || only.includes(s.name))) {
        // Warm up (plans cached, the pages read), then measure.
        for (let i = 0; i < 50; i++) await shape.call(sql);
        await sql`SELECT pg_stat_statements_reset(), pg_stat_reset()`;
        const cpu0 = (await treeCpuSeconds(pg.pid))!;
        const t0 = performance.now();
        let n = 0;
        while (performance.now() - t0 < seconds * 1000) {
          await shape.call(sql);
          n++;
        }
        const wall = performance.now() - t0;
        const cpu = (await treeCpuSeconds(pg.pid))! - cpu0;
        console.log(
          `\n${shape.name}: ${n} txns, ${(wall / n).toFixed(3)} ms wall/txn, ` +
            `PostgreSQL CPU ${((cpu * 1000) / n).toFixed(3)} ms/txn, ${((cpu * 1000) / n / shape.bidsPerTxn).toFixed(3)} ms/bid; load ${load()}`,
        );
        const stmts = await sql<{ top: boolean; calls: number; ms: number; plan: number; plans: number; q: string }[]>`
          SELECT toplevel AS top, calls, (total_exec_time + total_plan_time) / ${n} AS ms,
                 total_plan_time / ${n} AS plan, plans,
                 regexp_replace(left(query, 90), '\\s+', ' ', 'g') AS q
            FROM pg_stat_statements
           WHERE query NOT LIKE '%pg_stat%'
           ORDER BY total_exec_time + total_plan_time DESC LIMIT 14`;
        console.log('  ms/txn (of it planning)  calls/txn (plans)  statement (nested unless top)');
        for (const r of stmts) {
          console.log(
            `  ${r.ms.toFixed(4).padStart(7)} (${r.plan.toFixed(4)})  ${(r.calls / n).toFixed(2).padStart(6)} (${(r.plans / n).toFixed(2)})  ${r.top ? 'TOP ' : ''}${r.q}`,
          );
        }
        const hot = await sql<{ relname: string; upd: number; hot: number }[]>`
          SELECT relname, n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname IN ('auctions', 'users')`;
        console.log(`  updates (HOT): ${hot.map((h) => `${h.relname} ${h.upd} (${h.hot})`).join(', ')}`);
        const fns = await sql<{ funcname: string; calls: number; total: number; self: number }[]>`
          SELECT funcname, calls, total_time AS total, self_time AS self FROM pg_stat_user_functions ORDER BY self_time DESC LIMIT 10`;
        console.log('  function: ms/txn total, self; calls/txn');
        for (const f of fns) {
          console.log(`    ${f.funcname.padEnd(24)} ${(f.total / n).toFixed(4)}  ${(f.self / n).toFixed(4)}  ${(f.calls / n).toFixed(2)}`);
        }
      }
    }
  } finally {
    await sql.end({ timeout: 2 });
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

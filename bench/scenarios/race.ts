// `bench race`: U users with balance B each fire K bids of B at once, at K
// different auctions, over K separate connections (spread over one or two
// daemon processes). Afterwards the database must show, for every user,
// exactly one winning bid, no more held than owned, no money moved, and the
// audit must be clean. `--target naive` runs the same race against a
// deliberately naive check-then-write (see load-gen/baseline-sql.ts), which must be
// caught double-spending: proof that the race is real and the checks can fail.
import { makeFixture, type Fixture, type FixtureUser } from '../harness/fixtures.js';
import { withClient } from '../harness/pg-client.js';
import { fmt, round1, table, type Figure, type Report } from '../harness/report.js';
import { stripUndefined, withReport } from '../harness/scenario.js';
import { openSession, type BenchEnv, type Session } from '../harness/session.js';
import { connectAll, NAIVE_GAP_SECONDS, placeBid, prepareBaselines, type BidAnswer } from '../load-gen/baseline-sql.js';
import { fireVolley, type VolleyAnswer } from '../load-gen/http-bids.js';

export type RaceTarget = 'daemon' | 'naive';

export interface RaceOptions {
  users: number;
  /** K: bids per user, each at a different auction. */
  auctionsPerUser: number;
  balance: number;
  /** Daemon processes the daemon target's bids are spread over (1 or 2). */
  daemons: number;
  target: RaceTarget;
  /** Also run the race through one nb_place_bids call per bid, for the daemon's bids/s ratio. */
  baseline: boolean;
  /** Connections the SQL targets (naive, baseline) use; capped below max_connections. */
  sqlConnections: number;
  /**
   * The share of bids sent as maximum bids {max: balance} (daemon and baseline;
   * the naive target places plain bids). A maximum opens at the start price
   * but holds the whole maximum, so the race is the same race.
   */
  maxShare: number;
}

export const raceDefaults: RaceOptions = {
  users: 200,
  auctionsPerUser: 10,
  balance: 10_000,
  daemons: 1,
  target: 'daemon',
  baseline: true,
  sqlConnections: 100,
  maxShare: 0.5,
};

export interface Violation {
  userId?: number;
  kind: string;
  message: string;
}

export interface RaceRun {
  /** daemon, naive, or sql (the nb_place_bids baseline). */
  target: RaceTarget | 'sql';
  bids: number;
  elapsedMs: number;
  bidsPerSec: number;
  /** Answers by result: "accepted" or the refusal code. */
  answers: Record<string, number>;
  /** Users who hold or won more than their balance allows. */
  doubleSpenders: number;
  violations: Violation[];
  auditViolations: number;
}

// Every user a bidder with the race's balance, and K auctions each: user u's
// are auctions[u·K] to auctions[u·K + K − 1].
async function raceFixture(s: Session, o: RaceOptions, tag: string): Promise<Fixture> {
  s.env.progress.step(`${tag}: creating ${o.users} users with ${fmt(o.balance)} each and ${fmt(o.users * o.auctionsPerUser)} auctions`);
  return makeFixture(s.admin, s.daemons[0]!.url, {
    name: `race-${tag}`,
    bidders: o.users,
    balance: o.balance,
    auctions: o.users * o.auctionsPerUser,
    auction: { startPrice: 1, minIncrement: 1, durationSec: 24 * 3600 },
  });
}

interface RaceShot {
  user: FixtureUser;
  auction: number;
  /** The bid's place among its user's K. */
  k: number;
  /** Sent as a maximum bid. */
  max: boolean;
}

// Every bid of the race, a user's K bids side by side so that they are in flight together;
// a share of them maxima, spread evenly (every bid whose running share falls short of it).
function shotsOf(fx: Fixture, perUser: number, maxShare: number): RaceShot[] {
  let n = 0;
  let maxima = 0;
  return fx.bidders.flatMap((user, u) =>
    fx.auctions.slice(u * perUser, (u + 1) * perUser).map((auction, k) => {
      n++;
      const max = maxima < Math.round(n * maxShare);
      if (max) maxima++;
      return { user, auction, k, max };
    }),
  );
}

async function raceOverHttp(s: Session, race: RaceShot[], o: RaceOptions): Promise<{ answers: VolleyAnswer[]; elapsedMs: number }> {
  const shots = race.map(({ user, auction, k, max }) => ({
    url: s.daemons[k % s.daemons.length]!.url,
    auction,
    amount: o.balance,
    max,
    token: user.token,
  }));
  s.env.progress.step(`daemon: firing ${fmt(shots.length)} bids at once over ${fmt(shots.length)} connections to ${s.daemons.length} daemon(s)`);
  return fireVolley(shots);
}

async function raceOverSql(s: Session, shots: RaceShot[], o: RaceOptions, mode: 'naive' | 'function'): Promise<{ answers: BidAnswer[]; elapsedMs: number }> {
  const n = Math.min(o.sqlConnections, shots.length);
  s.env.progress.step(`${mode === 'naive' ? 'naive check-then-write' : 'nb_place_bids baseline'}: firing ${fmt(shots.length)} bids over ${n} connections`);
  if (mode === 'function') await prepareBaselines(s.env.databaseUrl);
  const clients = await connectAll(s.env.databaseUrl, n);
  try {
    let next = 0;
    const answers = new Array<BidAnswer>(shots.length);
    const started = performance.now();
    await Promise.all(
      clients.map(async (c) => {
        while (next < shots.length) {
          const i = next++;
          const { user, auction, max } = shots[i]!;
          answers[i] = await placeBid(c, mode, auction, user.id, o.balance, max);
        }
      }),
    );
    return { answers, elapsedMs: performance.now() - started };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
}

/** What the database says about the race's users, and everything wrong with it. */
async function checkDatabase(url: string, fx: Fixture, o: RaceOptions, accepted: Map<number, number>): Promise<{ violations: Violation[]; doubleSpenders: number }> {
  return withClient(url, async (c) => {
    const rows = (await c.query<{ id: string; balance: string; held: string; wins: string; leading: string; ledger_balance: string; ledger_held: string }>(
      `SELECT u.id, u.balance, u.held,
              count(a.id) AS wins, coalesce(sum(a.leader_max), 0) AS leading,
              (SELECT coalesce(sum(delta_balance), 0) FROM ledger l WHERE l.user_id = u.id) AS ledger_balance,
              (SELECT coalesce(sum(delta_held), 0) FROM ledger l WHERE l.user_id = u.id) AS ledger_held
         FROM users u LEFT JOIN auctions a ON a.leader_id = u.id AND a.id = ANY ($2::bigint[])
        WHERE u.id = ANY ($1::bigint[])
        GROUP BY u.id ORDER BY u.id`,
      [fx.bidders.map((u) => u.id), fx.auctions],
    )).rows;
    const violations: Violation[] = [];
    let doubleSpenders = 0;
    for (const r of rows) {
      const id = Number(r.id);
      const [balance, held, wins, leading] = [Number(r.balance), Number(r.held), Number(r.wins), Number(r.leading)];
      const add = (kind: string, message: string) => violations.push({ userId: id, kind, message: `user ${id}: ${message}` });
      // A leader's hold is their maximum (a plain bid's maximum is its amount).
      if (leading > balance || held > balance) {
        doubleSpenders++;
        add('overspent', `leads bids with maxima of ${fmt(leading)} and holds ${fmt(held)} with a balance of ${fmt(balance)}`);
      }
      if (wins !== 1) add('wins', `won ${wins} bids; exactly 1 was possible`);
      if (balance !== o.balance) add('balance_changed', `balance is ${fmt(balance)}, it was ${fmt(o.balance)}`);
      if (held !== leading) add('hold_mismatch', `holds ${fmt(held)} but leads bids with maxima of ${fmt(leading)}`);
      if (Number(r.ledger_balance) !== balance || Number(r.ledger_held) !== held) {
        add('ledger_mismatch', `the ledger says ${r.ledger_balance}/${r.ledger_held}, the row says ${balance}/${held}`);
      }
      const answered = accepted.get(id) ?? 0;
      if (answered !== wins) add('answers_disagree', `${answered} bids were answered as accepted, the database shows ${wins} won`);
    }
    if (rows.length !== fx.bidders.length) violations.push({ kind: 'missing_users', message: `${fx.bidders.length - rows.length} users are missing` });
    return { violations, doubleSpenders };
  });
}

async function runOne(s: Session, o: RaceOptions, target: RaceRun['target']): Promise<RaceRun> {
  const fx = await raceFixture(s, o, target);
  // The naive check-then-write knows no maxima: its bids are all plain.
  const shots = shotsOf(fx, o.auctionsPerUser, target === 'naive' ? 0 : o.maxShare);
  let codes: (string | null)[];
  let elapsedMs: number;
  if (target === 'daemon') {
    const r = await raceOverHttp(s, shots, o);
    codes = r.answers.map((a) => (a.status === 201 ? null : (a.code ?? `HTTP_${a.status}`)));
    elapsedMs = r.elapsedMs;
  } else {
    const r = await raceOverSql(s, shots, o, target === 'naive' ? 'naive' : 'function');
    codes = r.answers;
    elapsedMs = r.elapsedMs;
  }
  const answers: Record<string, number> = {};
  // Per user, the bids answered as accepted.
  const accepted = new Map<number, number>();
  codes.forEach((code, i) => {
    const key = code ?? 'accepted';
    answers[key] = (answers[key] ?? 0) + 1;
    if (code === null) {
      const id = shots[i]!.user.id;
      accepted.set(id, (accepted.get(id) ?? 0) + 1);
    }
  });
  s.env.progress.step(`${target}: checking the database and the audit`);
  const { violations, doubleSpenders } = await checkDatabase(s.env.databaseUrl, fx, o, accepted);
  for (const [code, n] of Object.entries(answers)) {
    if (code !== 'accepted' && code !== 'INSUFFICIENT_FUNDS') {
      violations.push({ kind: 'unexpected_answer', message: `${n} bids were answered ${code}` });
    }
  }
  const audit = await s.admin.audit();
  return {
    target,
    bids: shots.length,
    elapsedMs: round1(elapsedMs),
    bidsPerSec: Math.round(shots.length / (elapsedMs / 1000)),
    answers,
    doubleSpenders,
    violations,
    auditViolations: audit.violations.length,
  };
}

/**
 * The race and its checks, without a report: what the test suite runs. The
 * daemon target passes with zero violations; the naive target "passes" when
 * violations are found.
 */
export async function raceCheck(env: BenchEnv, options: Partial<RaceOptions> = {}): Promise<{ options: RaceOptions; runs: RaceRun[] }> {
  const o: RaceOptions = { ...raceDefaults, ...stripUndefined(options) };
  if (o.daemons < 1 || o.daemons > 8) throw new RangeError('daemons must be 1 to 8');
  const s = await openSession(env, o.target === 'daemon' ? o.daemons : 1);
  try {
    const runs = [await runOne(s, o, o.target)];
    if (o.target === 'daemon' && o.baseline) runs.push(await runOne(s, o, 'sql'));
    return { options: o, runs };
  } finally {
    await s.close();
  }
}

/** Total violations a run found, from its own checks and the audit. */
export function violationCount(run: RaceRun): number {
  return run.violations.length + run.auditViolations;
}

/** `bench race`: the race, a report, and the problems that make the exit code non-zero. */
export async function runRace(env: BenchEnv, options: Partial<RaceOptions> = {}): Promise<Report> {
  const o: RaceOptions = { ...raceDefaults, ...stripUndefined(options) };
  return withReport('race', env, { ...o }, async () => {
    const { runs } = await raceCheck(env, o);
    const main = runs[0]!;
    const sql = runs.find((r) => r.target === 'sql');
    const found = violationCount(main);
    const problems: string[] = [];
    if (o.target === 'daemon') {
      for (const v of main.violations.slice(0, 20)) problems.push(v.message);
      if (main.violations.length > 20) problems.push(`… and ${main.violations.length - 20} more`);
      if (main.auditViolations) problems.push(`the audit found ${main.auditViolations} violations`);
    } else if (found === 0) {
      problems.push('the naive target showed no double-spend: the race did not happen, so this run proves nothing');
    }
    if (sql && violationCount(sql) > 0) problems.push(`the nb_place_bids baseline broke a rule: ${sql.violations[0]?.message ?? 'see the audit'}`);
    const label = (r: RaceRun) =>
      r.target === 'daemon' ? `daemon over HTTP (${o.daemons} process${o.daemons > 1 ? 'es' : ''})`
        : r.target === 'naive' ? `naive check-then-write over pg (${NAIVE_GAP_SECONDS * 1000} ms gap)`
          : 'nb_place_bids over pg, 1 bid/tx (baseline)';
    const rows = runs.map((r) => [
      label(r),
      fmt(r.bids),
      fmt(r.bidsPerSec),
      Object.entries(r.answers).map(([k, n]) => `${k} ${fmt(n)}`).join(', '),
      `${r.doubleSpenders} of ${o.users}`,
      String(r.violations.length),
      String(r.auditViolations),
    ]);
    const verdict =
      o.target === 'daemon'
        ? `**${found === 0 ? 'PASS' : 'FAIL'}**: violations found: ${found} (expected 0).`
        : `**${found > 0 ? 'PASS' : 'FAIL'}**: violations found: ${found} (expected > 0: the naive target must be caught).`;
    const figures: Figure[] = [
      { key: `race.${main.target}.bidsPerSec`, value: main.bidsPerSec, unit: 'bids/s', higherIsBetter: true },
      { key: `race.${main.target}.violations`, value: found, unit: '', higherIsBetter: o.target === 'naive' },
    ];
    let ratioLine = '';
    if (sql) {
      figures.push({ key: 'race.sql.bidsPerSec', value: sql.bidsPerSec, unit: 'bids/s', higherIsBetter: true });
      const ratio = Math.round((main.bidsPerSec / sql.bidsPerSec) * 100) / 100;
      figures.push({ key: 'race.ratio.daemon/sql', value: ratio, unit: '×', higherIsBetter: true });
      ratioLine = `\nThe daemon answered the race at ${fmt(main.bidsPerSec)} bids/s, ${ratio.toFixed(2)}× the baseline (the same race, one nb_place_bids call per bid over ${Math.min(o.sqlConnections, sql.bids)} pg connections).\n`;
    }
    const markdown =
      `${o.users} users × ${o.auctionsPerUser} simultaneous bids of their whole balance (${fmt(o.balance)}), each at its own auction over its own connection` +
      `${o.target === 'daemon' ? `; ${Math.round(o.maxShare * 100)}% of them maximum bids of the whole balance` : ''}.\n\n` +
      table(['target', 'bids', 'bids/s', 'answers', 'double-spenders', 'check violations', 'audit violations'], rows) +
      `\n\n${verdict}\n${ratioLine}`;
    return { figures, markdown, problems, details: { runs } };
  });
}

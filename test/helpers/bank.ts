// The bank test's workload and checks (after Jepsen's), for test/e2e/bank.test.ts
// (two daemons) and test/cluster/bank-kill.test.ts (three behind HAProxy, one
// killed with kill -9 during the run): random concurrent deposits, bids,
// buy-nows, admin and seller cancels, and closes; afterwards money is conserved,
// nothing is negative, every hold is a leading bid, the audit is clean, and the
// database agrees with what each client was told: every 200/201 is there, and
// nothing refused moved a cent.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { expect } from 'vitest';
import { withRetries } from '../../src/cli/retry.js';
import { HttpClient, type WriteOptions } from '../../src/client/http-client.js';
import { sqlArray, type Sql } from '../../src/daemon/db/database.js';
import { NbError } from '../../src/protocol/errors.js';
import type { Auction } from '../../src/protocol/types.js';
import { waitFor } from './poll.js';
import { expectAuditClean, seedUser, type Admin, type SeededUser } from './seed.js';

export interface LotSpec {
  seller: number;
  startPrice: number;
  minIncrement: number;
  buyNowAbove: number | null;
  durationSec: number;
  softClose: boolean;
}

export type Op =
  | { kind: 'deposit'; user: number; amount: number }
  | { kind: 'bid'; user: number; lot: number; step: number }
  | { kind: 'raise'; user: number; lot: number }
  | { kind: 'buy'; user: number; lot: number }
  | { kind: 'cancel'; lot: number; byAdmin: boolean };

export interface Timed {
  op: Op;
  /** When it is sent, in ms from the start. */
  at: number;
  /** Which daemon takes it (modulo the number of daemons). */
  via: number;
}

export interface Workload {
  balances: number[];
  lots: LotSpec[];
  ops: Timed[];
}

/** Random workloads of `minOps` to `maxOps` operations over 2.5 s. */
export const bankWorkload = (minOps: number, maxOps: number): fc.Arbitrary<Workload> => fc.record({
  balances: fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 3, maxLength: 6, size: 'max' }),
  lots: fc.array(
    fc.record({
      seller: fc.nat({ max: 7 }),
      startPrice: fc.integer({ min: 1, max: 500 }),
      minIncrement: fc.integer({ min: 1, max: 100 }),
      buyNowAbove: fc.option(fc.integer({ min: 0, max: 1500 }), { freq: 2 }),
      durationSec: fc.integer({ min: 1, max: 3 }),
      softClose: fc.boolean(),
    }),
    { minLength: 2, maxLength: 5, size: 'max' },
  ),
  ops: fc.array(
    fc.record({
      op: fc.oneof(
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('deposit' as const), user: fc.nat({ max: 7 }), amount: fc.integer({ min: 1, max: 2000 }) }) },
        { weight: 5, arbitrary: fc.record({ kind: fc.constant('bid' as const), user: fc.nat({ max: 7 }), lot: fc.nat({ max: 7 }), step: fc.integer({ min: 0, max: 12 }) }) },
        { weight: 4, arbitrary: fc.record({ kind: fc.constant('raise' as const), user: fc.nat({ max: 7 }), lot: fc.nat({ max: 7 }) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('buy' as const), user: fc.nat({ max: 7 }), lot: fc.nat({ max: 7 }) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), lot: fc.nat({ max: 7 }), byAdmin: fc.boolean() }) },
      ),
      at: fc.integer({ min: 0, max: 2500 }),
      via: fc.nat({ max: 5 }),
    }),
    { minLength: minOps, maxLength: maxOps, size: 'max' },
  ),
});

export interface Answer {
  t: Timed;
  /** The user who sent it (null: the admin). */
  userId: number | null;
  lotId?: number;
  amount?: number;
  ok: boolean;
  code?: string;
  /** Times it was sent again with its key (BankTarget.retry) because the answer was "try again". */
  retries: number;
  body?: any;
}

/** The codes a rule may answer with in this workload; anything else is a failure. */
const RULE_CODES = new Set(['BID_TOO_LOW', 'INSUFFICIENT_FUNDS', 'AUCTION_CLOSED', 'SELF_BID', 'BUY_NOW_UNAVAILABLE', 'CANNOT_CANCEL']);

export interface Run {
  users: SeededUser[];
  opening: number[];
  lots: Auction[];
  answers: Answer[];
}

export interface BankTarget {
  /** The daemons (or the load balancer) the operations go to, by `via`. */
  urls: string[];
  adminToken: string;
  /** Where the users are made. */
  admin: Admin;
  /**
   * Send every operation with an Idempotency-Key and retry it with the same key
   * while the answer is "try again" (a daemon killed under it, none reachable):
   * every operation then has one definite answer.
   */
  retry?: boolean;
  /** A fault to run beside the operations, started with them (users and auctions are made by then). */
  during?: () => Promise<void>;
}

/** Keyed retries, long enough for HAProxy to find a live daemon while one is being killed and restarted. */
const RETRY_DELAYS_MS = [100, 200, 400, 800, 1600, 3200, 3200, 3200];

/** Plays a workload: users and auctions, then every operation at its time; resolves with every answer. */
export async function playBank(target: BankTarget, w: Workload): Promise<Run> {
  const { urls, adminToken } = target;
  const users = await Promise.all(w.balances.map((b) => seedUser(target.admin, b)));
  const lots = await Promise.all(
    w.lots.map((l, i) => {
      const seller = users[l.seller % users.length]!;
      return seller.clientFor(urls[i % urls.length]!).createAuction({
        title: `bank lot ${i}`,
        startPrice: l.startPrice,
        minIncrement: l.minIncrement,
        durationSec: l.durationSec,
        ...(l.buyNowAbove !== null ? { buyNowPrice: l.startPrice + l.buyNowAbove } : {}),
        ...(l.softClose ? { softCloseSec: 1 } : {}),
      });
    }),
  );
  const started = Date.now();
  const fault = target.during?.();
  const answers = await Promise.all(
    w.ops.map(async (t): Promise<Answer> => {
      await new Promise((r) => setTimeout(r, Math.max(0, started + t.at - Date.now())));
      const url = urls[t.via % urls.length]!;
      const key = target.retry ? randomUUID() : undefined;
      const once = <T>(send: (o: WriteOptions) => Promise<T>): Promise<T> =>
        key ? withRetries(() => send({ idempotencyKey: key }), { delaysMs: RETRY_DELAYS_MS, onRetry: () => answer.retries++ }) : send({});
      const op = t.op;
      const lot = 'lot' in op ? lots[op.lot % lots.length]! : undefined;
      const user = 'user' in op ? users[op.user % users.length]! : op.byAdmin ? null : users[w.lots[op.lot % lots.length]!.seller % users.length]!;
      const client = user ? user.clientFor(url) : new HttpClient({ url, token: adminToken });
      const answer: Answer = { t, userId: user?.id ?? null, lotId: lot?.id, ok: false, retries: 0 };
      try {
        switch (op.kind) {
          case 'deposit':
            answer.amount = op.amount;
            answer.body = await once((o) => new HttpClient({ url, token: adminToken }).deposit(user!.id, op.amount, o));
            answer.userId = user!.id;
            break;
          case 'bid':
            answer.amount = lot!.startPrice + op.step * lot!.minIncrement!;
            answer.body = await once((o) => client.bid(lot!.id, answer.amount!, o));
            break;
          case 'raise': {
            const now = await once(() => client.auction(lot!.id));
            answer.amount = now.minNextBid ?? lot!.startPrice;
            answer.body = await once((o) => client.bid(lot!.id, answer.amount!, o));
            break;
          }
          case 'buy':
            answer.body = await once((o) => client.buy(lot!.id, o));
            break;
          case 'cancel':
            answer.body = await once((o) => client.cancel(lot!.id, o));
            break;
        }
        answer.ok = true;
      } catch (err) {
        if (!(err instanceof NbError)) throw err;
        answer.ok = false;
        answer.code = err.code;
      }
      return answer;
    }),
  );
  await fault;
  return { users, opening: w.balances, lots, answers };
}

// ---- what the clients were told, against what the database holds ----

interface Expected {
  status: string;
  leaderId?: number;
  price?: number;
}

/** Each auction's end as the answers imply it: sold to the one buyer, cancelled, closed at the top accepted bid, or unsold. */
function expectedLots(run: Run): Map<number, Expected> {
  const out = new Map<number, Expected>();
  for (const lot of run.lots) {
    const mine = run.answers.filter((x) => x.lotId === lot.id && x.ok);
    const buys = mine.filter((x) => x.t.op.kind === 'buy');
    const cancels = mine.filter((x) => x.t.op.kind === 'cancel');
    const bids = mine.filter((x) => x.t.op.kind === 'bid' || x.t.op.kind === 'raise');
    expect(buys.length + cancels.length, `lot ${lot.id}: one ending at most`).toBeLessThanOrEqual(1);
    const top = bids.reduce<Answer | undefined>((m, x) => (!m || x.amount! > m.amount! ? x : m), undefined);
    if (buys[0]) out.set(lot.id, { status: 'sold', leaderId: buys[0].userId!, price: lot.buyNowPrice! });
    else if (cancels[0]) out.set(lot.id, { status: 'cancelled' });
    else if (top) out.set(lot.id, { status: 'closed', leaderId: top.userId!, price: top.amount! });
    else out.set(lot.id, { status: 'unsold' });
  }
  return out;
}

/**
 * Checks a played workload against the database (`sql`, direct) and each
 * daemon's audit (`admins`): see the top of this file.
 */
export async function checkBank(sql: Sql, run: Run, admins: HttpClient[]): Promise<void> {
  const lotIds = run.lots.map((l) => l.id);
  const userIds = run.users.map((u) => u.id);
  for (const x of run.answers) {
    if (!x.ok) expect(RULE_CODES.has(x.code!), `${x.t.op.kind} answered ${x.code}`).toBe(true);
  }
  // Right after the load, with auctions still open: holds are leading bids, and the audit is clean.
  for (const admin of admins) await expectAuditClean(admin);

  await waitFor(async () => {
    const [r] = await sql<{ open: number }[]>`SELECT count(*)::bigint AS open FROM auctions WHERE id = ANY (${sqlArray(lotIds)}::bigint[]) AND status = 'open'`;
    return r!.open === 0;
  }, 60_000, 'the closers to settle every auction of the run');

  // Every accepted bid is in the database, and no other.
  const accepted = run.answers.filter((x) => x.ok && (x.t.op.kind === 'bid' || x.t.op.kind === 'raise'));
  const stored = await sql<{ id: number; auction_id: number; bidder_id: number; amount: number }[]>`
    SELECT id, auction_id, bidder_id, amount FROM bids WHERE auction_id = ANY (${sqlArray(lotIds)}::bigint[]) ORDER BY id`;
  const told = accepted.map((x) => ({ id: x.body.bid.id, auction_id: x.lotId!, bidder_id: x.userId!, amount: x.amount! }));
  expect(stored).toEqual(told.sort((p, q) => p.id - q.id));

  // Every auction ended as the answers say.
  const ends = await sql<{ id: number; status: string; leader_id: number | null; current_price: number | null }[]>`
    SELECT id, status, leader_id, current_price FROM auctions WHERE id = ANY (${sqlArray(lotIds)}::bigint[])`;
  const expected = expectedLots(run);
  for (const e of ends) {
    const want = expected.get(e.id)!;
    expect(e.status, `lot ${e.id}`).toBe(want.status);
    if (want.leaderId !== undefined) expect([e.leader_id, e.current_price], `lot ${e.id}`).toEqual([want.leaderId, want.price]);
  }

  // Every user's money as the answers say: opening + deposits − what they won + what they sold; nothing held.
  const deposits = run.answers.filter((x) => x.ok && x.t.op.kind === 'deposit');
  const want = new Map(run.users.map((u, i) => [u.id, run.opening[i]!]));
  for (const x of deposits) want.set(x.userId!, want.get(x.userId!)! + x.amount!);
  for (const lot of run.lots) {
    const e = expected.get(lot.id)!;
    if (e.status !== 'sold' && e.status !== 'closed') continue;
    want.set(e.leaderId!, want.get(e.leaderId!)! - e.price!);
    want.set(lot.sellerId, want.get(lot.sellerId)! + e.price!);
  }
  const money = await sql<{ id: number; balance: number; held: number }[]>`
    SELECT id, balance, held FROM users WHERE id = ANY (${sqlArray(userIds)}::bigint[]) ORDER BY id`;
  expect(money).toEqual(userIds.map((id) => ({ id, balance: want.get(id)!, held: 0 })).sort((p, q) => p.id - q.id));

  // Money is conserved: the run's balances total its deposits, ledger and answers alike.
  const depositTotal = run.opening.reduce((s, b) => s + b, 0) + deposits.reduce((s, x) => s + x.amount!, 0);
  const [totals] = await sql<{ balances: number; deposits: number }[]>`
    SELECT (SELECT coalesce(sum(balance), 0) FROM users WHERE id = ANY (${sqlArray(userIds)}::bigint[]))::bigint AS balances,
           (SELECT coalesce(sum(amount), 0) FROM ledger WHERE kind = 'deposit' AND user_id = ANY (${sqlArray(userIds)}::bigint[]))::bigint AS deposits`;
  expect(totals).toEqual({ balances: depositTotal, deposits: depositTotal });
  const [negative] = await sql<{ n: number }[]>`SELECT count(*)::bigint AS n FROM users WHERE balance < 0 OR held < 0 OR held > balance`;
  expect(negative!.n).toBe(0);
  for (const admin of admins) await expectAuditClean(admin);
}

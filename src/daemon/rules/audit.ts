// The audit recomputes every user and auction from the ledger, bids and outbox
// and reports every disagreement. A clean audit means no money appeared or
// vanished, every hold is exactly a leader's maximum (a plain bid's maximum
// is its amount), every price is within its leader's maximum and its reserve
// was applied, and every auction's price and leader are its latest bid row.
// The admin's audit is the one reader of hidden maxima and reserves besides
// their owners: a violation may name them.
import type { AuditReport, AuditViolation } from '../../protocol/types.js';
import type { Sql } from '../db/database.js';

/** Runs every check in one repeatable-read snapshot. */
export async function audit(sql: Sql): Promise<AuditReport> {
  return (await sql.begin('ISOLATION LEVEL REPEATABLE READ READ ONLY', async (tx) => {
    const violations: AuditViolation[] = [];
    const add = (v: AuditViolation) => violations.push(v);

    const ledgerMismatch = await tx<{ id: number; balance: number; held: number; lb: number; lh: number }[]>`
      SELECT u.id, u.balance, u.held, coalesce(l.b, 0)::bigint AS lb, coalesce(l.h, 0)::bigint AS lh
        FROM users u
        LEFT JOIN (SELECT user_id, sum(delta_balance) AS b, sum(delta_held) AS h
                     FROM ledger GROUP BY user_id) l ON l.user_id = u.id
       WHERE u.balance <> coalesce(l.b, 0) OR u.held <> coalesce(l.h, 0)`;
    for (const r of ledgerMismatch) {
      add({ kind: 'ledger_mismatch', userId: r.id,
        message: `user ${r.id} has balance ${r.balance}/held ${r.held} but the ledger says ${r.lb}/${r.lh}` });
    }

    const badHolds = await tx<{ id: number; held: number; leading: number }[]>`
      SELECT u.id, u.held, coalesce(x.s, 0)::bigint AS leading
        FROM users u
        LEFT JOIN (SELECT leader_id, sum(leader_max) AS s FROM auctions
                    WHERE status = 'open' AND leader_id IS NOT NULL GROUP BY leader_id) x
               ON x.leader_id = u.id
       WHERE u.held <> coalesce(x.s, 0)`;
    for (const r of badHolds) {
      add({ kind: 'hold_mismatch', userId: r.id,
        message: `user ${r.id} holds ${r.held} but leads open auctions with maxima of ${r.leading}` });
    }

    // Maxima and reserves: a price within its leader's maximum, lifted to the
    // reserve once the maximum reaches it; an ending that follows the reserve.
    const badPrices = await tx<{ id: number; message: string }[]>`
      SELECT id, CASE
          WHEN status = 'open' AND leader_id IS NOT NULL AND (leader_max IS NULL OR leader_max < current_price)
            THEN format('auction %s: price %s above the leader''s maximum %s', id, current_price, leader_max)
          WHEN status = 'open' AND reserve_price IS NOT NULL AND leader_max >= reserve_price AND current_price < reserve_price
            THEN format('auction %s: the leader''s maximum reaches the reserve but the price %s is below it', id, current_price)
          WHEN status = 'closed' AND reserve_price IS NOT NULL AND current_price < reserve_price
            THEN format('auction %s closed at %s, below its reserve %s', id, current_price, reserve_price)
          WHEN status = 'unsold' AND unsold_reason = 'reserve_not_met' AND (current_price IS NULL OR current_price >= reserve_price)
            THEN format('auction %s unsold for its reserve but its price %s met it', id, current_price)
          WHEN status = 'unsold' AND unsold_reason = 'no_bids' AND bid_count > 0
            THEN format('auction %s unsold for no bids but has %s', id, bid_count)
          WHEN status <> 'open' AND leader_max IS NOT NULL
            THEN format('auction %s is %s but still holds a maximum', id, status)
          WHEN status = 'sold' AND current_price IS DISTINCT FROM buy_now_price
            THEN format('auction %s sold at %s, not its buy-now price %s', id, current_price, buy_now_price)
        END AS message
        FROM auctions
       WHERE (status = 'open' AND leader_id IS NOT NULL AND (leader_max IS NULL OR leader_max < current_price))
          OR (status = 'open' AND reserve_price IS NOT NULL AND leader_max >= reserve_price AND current_price < reserve_price)
          OR (status = 'closed' AND reserve_price IS NOT NULL AND current_price < reserve_price)
          OR (status = 'unsold' AND unsold_reason = 'reserve_not_met' AND (current_price IS NULL OR current_price >= reserve_price))
          OR (status = 'unsold' AND unsold_reason = 'no_bids' AND bid_count > 0)
          OR (status <> 'open' AND leader_max IS NOT NULL)
          OR (status = 'sold' AND current_price IS DISTINCT FROM buy_now_price)`;
    for (const r of badPrices) add({ kind: 'price_mismatch', auctionId: r.id, message: r.message });

    // Bid rows: never going down, never above the maximum behind them, and the
    // latest one is the price and the leader (a buy-now is not a row).
    const badRows = await tx<{ id: number; message: string }[]>`
      SELECT a.id, CASE
          WHEN r.down > 0 THEN format('auction %s: a bid row went down', a.id)
          WHEN r.over > 0 THEN format('auction %s: a bid row is above the maximum behind it', a.id)
          ELSE format('auction %s: price %s and leader %s are not its latest bid (%s by %s)',
                      a.id, a.current_price, a.leader_id, r.last_amount, r.last_bidder)
        END AS message
        FROM auctions a
        JOIN (SELECT auction_id,
                     count(*) FILTER (WHERE amount < prev) AS down,
                     count(*) FILTER (WHERE max_amount < amount) AS over,
                     (array_agg(amount ORDER BY version DESC))[1] AS last_amount,
                     (array_agg(bidder_id ORDER BY version DESC))[1] AS last_bidder
                FROM (SELECT auction_id, version, amount, bidder_id, max_amount,
                             lag(amount) OVER (PARTITION BY auction_id ORDER BY version) AS prev
                        FROM bids) b
               GROUP BY auction_id) r ON r.auction_id = a.id
       WHERE r.down > 0 OR r.over > 0
          OR (a.status <> 'sold' AND (r.last_amount IS DISTINCT FROM a.current_price OR r.last_bidder IS DISTINCT FROM a.leader_id))`;
    for (const r of badRows) add({ kind: 'bid_rows_mismatch', auctionId: r.id, message: r.message });

    const negative = await tx<{ id: number }[]>`
      SELECT id FROM users WHERE balance < 0 OR held < 0 OR held > balance`;
    for (const r of negative) add({ kind: 'negative_funds', userId: r.id, message: `user ${r.id} is overdrawn` });

    const settlement = await tx<{ id: number; status: string; price: number | null; seller_id: number;
      leader_id: number | null; charges: number; charged: number; charged_user: number | null;
      payouts: number; paid: number; paid_user: number | null; held_net: number; leader_max: number | null }[]>`
      SELECT a.id, a.status, a.current_price AS price, a.seller_id, a.leader_id, a.leader_max,
             count(*) FILTER (WHERE l.kind = 'charge')::bigint AS charges,
             coalesce(sum(l.amount) FILTER (WHERE l.kind = 'charge'), 0)::bigint AS charged,
             min(l.user_id) FILTER (WHERE l.kind = 'charge') AS charged_user,
             count(*) FILTER (WHERE l.kind = 'payout')::bigint AS payouts,
             coalesce(sum(l.amount) FILTER (WHERE l.kind = 'payout'), 0)::bigint AS paid,
             min(l.user_id) FILTER (WHERE l.kind = 'payout') AS paid_user,
             coalesce(sum(l.delta_held), 0)::bigint AS held_net
        FROM auctions a LEFT JOIN ledger l ON l.auction_id = a.id
       GROUP BY a.id`;
    for (const a of settlement) {
      const paidOut = a.status === 'closed' || a.status === 'sold';
      const ok = paidOut
        ? a.charges === 1 && a.payouts === 1 && a.charged === a.price && a.paid === a.price &&
          a.charged_user === a.leader_id && a.paid_user === a.seller_id && a.held_net === 0
        : a.charges === 0 && a.payouts === 0 &&
          a.held_net === (a.status === 'open' ? (a.leader_max ?? 0) : 0);
      if (!ok) {
        add({ kind: 'settlement_mismatch', auctionId: a.id,
          message: `auction ${a.id} (${a.status}) moved money wrongly: ${a.charges} charge(s) of ${a.charged}, ` +
            `${a.payouts} payout(s) of ${a.paid}, net hold ${a.held_net}` });
      }
    }

    const versions = await tx<{ id: number; version: number; events: number; max: number | null; bid_count: number; bids: number }[]>`
      SELECT a.id, a.version, a.bid_count,
             (SELECT count(*) FROM events e WHERE e.auction_id = a.id)::bigint AS events,
             (SELECT max(version) FROM events e WHERE e.auction_id = a.id) AS max,
             (SELECT count(*) FROM bids b WHERE b.auction_id = a.id)::bigint AS bids
        FROM auctions a`;
    for (const v of versions) {
      if (v.events !== v.version || (v.max ?? 0) !== v.version) {
        add({ kind: 'version_gap', auctionId: v.id,
          message: `auction ${v.id} is at version ${v.version} but its outbox holds ${v.events} event(s) up to ${v.max ?? 0}` });
      }
      if (v.bids !== v.bid_count) {
        add({ kind: 'bid_count_mismatch', auctionId: v.id,
          message: `auction ${v.id} counts ${v.bid_count} bid(s) but ${v.bids} are recorded` });
      }
    }

    // Sums as text, compared in SQL: after changes made outside neighborbid a
    // sum could pass 2^53 − 1, and the audit must still answer (with a violation).
    const [totals] = await tx<{ users: number; auctions: number; ledger_rows: number;
      deposits: string; balances: string; supply: string | null }[]>`
      SELECT (SELECT count(*) FROM users)::bigint AS users,
             (SELECT count(*) FROM auctions)::bigint AS auctions,
             l.ledger_rows, l.deposits,
             (SELECT coalesce(sum(balance), 0) FROM users)::text AS balances,
             (SELECT total FROM money_supply)::text AS supply
        FROM (SELECT count(*)::bigint AS ledger_rows,
                     coalesce(sum(amount) FILTER (WHERE kind = 'deposit'), 0)::text AS deposits
                FROM ledger) l`;
    const t = totals!;
    if (t.deposits !== t.balances) {
      add({ kind: 'money_not_conserved', message: `deposits total ${t.deposits} but balances total ${t.balances}` });
    }
    if (t.supply !== t.deposits) {
      add({ kind: 'supply_mismatch', message: `the money supply says ${t.supply ?? 'nothing'} but deposits total ${t.deposits}` });
    }
    const exact = (what: string, digits: string): number | null => {
      const n = Number(digits);
      if (Number.isSafeInteger(n)) return n;
      add({ kind: 'total_out_of_range', message: `${what} total ${digits}, past 9,007,199,254,740,991` });
      return null;
    };
    return {
      ok: violations.length === 0,
      violations,
      users: t.users,
      auctions: t.auctions,
      ledgerRows: t.ledger_rows,
      totalDeposits: exact('deposits', t.deposits),
      totalBalances: exact('balances', t.balances),
    };
  })) as AuditReport;
}

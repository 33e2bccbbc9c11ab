// The audit must catch what it claims to: money that appears, holds that
// are not a leader's maximum, a sale paid twice, a price that is not its
// latest bid or skipped its reserve, a gap in an auction's events.
import { beforeAll, describe, expect, it } from 'vitest';
import { useRulesDaemon } from '../../helpers/fixture.js';
import { ENDS_SOON, expectRefused, seedAuction, seedUser, waitUntilEnded, type SeededUser } from '../../helpers/seed.js';

const t = useRulesDaemon();
let buyer: SeededUser;
let openId: number;
let closedId: number;

beforeAll(async () => {
  buyer = await seedUser(t.daemon, 1000);
  const [open, closed] = await Promise.all([seedAuction(t.seller), seedAuction(t.seller, { durationSec: ENDS_SOON })]);
  await buyer.client.bid(open.id, 100);
  await buyer.client.bid(closed.id, 200);
  await waitUntilEnded(closed.endsAt);
  await t.daemon.closer.runOnce();
  [openId, closedId] = [open.id, closed.id];
});

/** Commits a corruption, audits, then undoes it; returns the violation kinds. */
async function auditWith(corrupt: string, undo: string): Promise<string[]> {
  await t.daemon.context.sql.unsafe(corrupt);
  try {
    const report = await t.daemon.admin.audit();
    expect(report.ok).toBe(false);
    return [...new Set(report.violations.map((v) => v.kind))].sort();
  } finally {
    await t.daemon.context.sql.unsafe(undo);
  }
}

describe('audit', () => {
  it('reports the size of what it checked when all is well', async () => {
    const report = await t.daemon.admin.audit();
    expect(report).toEqual({
      ok: true, violations: [], users: 2, auctions: 2, ledgerRows: 5, totalDeposits: 1000, totalBalances: 1000,
    });
  });

  it('catches money that appeared without a ledger row', async () => {
    expect(await auditWith(
      `UPDATE users SET balance = balance + 1 WHERE id = ${buyer.id}`,
      `UPDATE users SET balance = balance - 1 WHERE id = ${buyer.id}`,
    )).toEqual(['ledger_mismatch', 'money_not_conserved']);
  });

  it('catches a hold that is not the leader’s maximum', async () => {
    expect(await auditWith(
      `UPDATE auctions SET leader_max = 150 WHERE id = ${openId}`,
      `UPDATE auctions SET leader_max = 100 WHERE id = ${openId}`,
    )).toEqual(['hold_mismatch', 'settlement_mismatch']);
  });

  it('catches a price that is not the latest bid row', async () => {
    expect(await auditWith(
      `UPDATE auctions SET current_price = 90 WHERE id = ${openId}`,
      `UPDATE auctions SET current_price = 100 WHERE id = ${openId}`,
    )).toEqual(['bid_rows_mismatch']);
  });

  it('catches a reserve the price should have jumped to, and a sale below the reserve', async () => {
    expect(await auditWith(
      `UPDATE auctions SET reserve_price = 120, leader_max = 130 WHERE id = ${openId};
       UPDATE users SET held = held + 30 WHERE id = ${buyer.id};
       INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held, auction_id) VALUES (${buyer.id}, 'hold', 30, 0, 30, ${openId});
       UPDATE auctions SET reserve_price = 250 WHERE id = ${closedId}`,
      `UPDATE auctions SET reserve_price = NULL, leader_max = 100 WHERE id = ${openId};
       DELETE FROM ledger WHERE id = (SELECT max(id) FROM ledger);
       UPDATE users SET held = held - 30 WHERE id = ${buyer.id};
       UPDATE auctions SET reserve_price = NULL WHERE id = ${closedId}`,
    )).toEqual(['price_mismatch']);
  });

  it('catches a sale paid out twice', async () => {
    const row = `(${t.seller.id}, 'payout', 200, 200, 0, ${closedId})`;
    expect(await auditWith(
      `INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held, auction_id) VALUES ${row};
       UPDATE users SET balance = balance + 200 WHERE id = ${t.seller.id}`,
      `DELETE FROM ledger WHERE id = (SELECT max(id) FROM ledger);
       UPDATE users SET balance = balance - 200 WHERE id = ${t.seller.id}`,
    )).toEqual(['money_not_conserved', 'settlement_mismatch']);
  });

  it('keeps the money in the system within 2^53 − 1: a deposit that would pass it is refused and changes nothing', async () => {
    const pauper = await seedUser(t.daemon, 0);
    const before = await t.daemon.admin.audit();
    // The new user's own balance would stay in range; the total would not.
    const err = await expectRefused(t.daemon.admin.deposit(pauper.id, Number.MAX_SAFE_INTEGER), 'INVALID_INPUT');
    expect(err.message).toMatch(/money in neighborbid past 9,007,199,254,740,991/);
    await expectRefused(t.daemon.admin.createUser('rich', Number.MAX_SAFE_INTEGER), 'INVALID_INPUT');
    // Up to the cap is taken, to the unit.
    const room = Number.MAX_SAFE_INTEGER - before.totalDeposits!;
    await t.daemon.admin.deposit(pauper.id, room);
    await expectRefused(t.daemon.admin.deposit(buyer.id, 1), 'INVALID_INPUT');
    const full = await t.daemon.admin.audit();
    expect(full).toMatchObject({ ok: true, totalDeposits: Number.MAX_SAFE_INTEGER, totalBalances: Number.MAX_SAFE_INTEGER });
    // Put the fixture back as it was (outside the rules: no withdrawal exists).
    await t.daemon.context.sql.begin(async (tx) => {
      await tx`DELETE FROM ledger WHERE kind = 'deposit' AND user_id = ${pauper.id}`;
      await tx`UPDATE users SET balance = 0 WHERE id = ${pauper.id}`;
      await tx`UPDATE money_supply SET total = total - ${room}`;
    });
    expect(await t.daemon.admin.audit()).toEqual(before);
  });

  it('catches a money supply that disagrees with the deposits', async () => {
    expect(await auditWith('UPDATE money_supply SET total = total + 1', 'UPDATE money_supply SET total = total - 1')).toEqual(['supply_mismatch']);
  });

  it('answers with a violation, not an error, when changes outside neighborbid take a total past 2^53 − 1', async () => {
    const sql = t.daemon.context.sql;
    const ids = [buyer.id, t.seller.id];
    const before = await sql<{ id: number; balance: number }[]>`SELECT id, balance FROM users WHERE id IN ${sql(ids)} ORDER BY id`;
    expect(before).toHaveLength(2);
    await sql`UPDATE users SET balance = 9007199254740991 WHERE id IN ${sql(ids)}`;
    try {
      const report = await t.daemon.admin.audit();
      expect(report.ok).toBe(false);
      expect([...new Set(report.violations.map((v) => v.kind))].sort()).toEqual(['ledger_mismatch', 'money_not_conserved', 'total_out_of_range']);
      expect(report.totalBalances).toBeNull();
      expect(report.totalDeposits).toBe(1000);
      expect(report.violations.find((v) => v.kind === 'total_out_of_range')?.message).toBe('balances total 18014398509481982, past 9,007,199,254,740,991');
    } finally {
      for (const u of before) await sql`UPDATE users SET balance = ${u.balance} WHERE id = ${u.id}`;
    }
    expect((await t.daemon.admin.audit()).ok).toBe(true);
  });

  it('catches a gap in an auction’s events', async () => {
    expect(await auditWith(
      `UPDATE events SET version = version + 10 WHERE auction_id = ${openId}`,
      `UPDATE events SET version = version - 10 WHERE auction_id = ${openId}`,
    )).toEqual(['version_gap']);
  });
});

// `neighborbid audit`: exit 0 only when the daemon's audit is clean, 3 otherwise.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliFixture, type CliFixture } from '../helpers/cli.js';

let f: CliFixture;

beforeAll(async () => {
  f = await startCliFixture();
});

afterAll(async () => {
  await f?.close();
});

describe('audit', () => {
  it('prints a clean audit with totals and exits 0; --json is the report', async () => {
    const seller = await f.daemon.admin.createUser('seller');
    const bidder = await f.daemon.admin.createUser('bidder', 1_500_000);
    const a = await f.daemon.client(seller.token).createAuction({ title: 'Lamp', startPrice: 100, minIncrement: 10, durationSec: 600 });
    await f.daemon.client(bidder.token).bid(a.id, 250);

    const r = await f.run(['audit']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'Audit clean: every balance, hold and sale agrees with the ledger.',
        'users                   2',
        'auctions                1',
        'ledger rows             2',
        'total deposits  1,500,000',
        'total balances  1,500,000',
        '',
      ].join('\n'),
    );
    const j = await f.json(['audit']);
    expect(j.code).toBe(0);
    expect(j.body).toEqual({ ok: true, violations: [], users: 2, auctions: 1, ledgerRows: 2, totalDeposits: 1_500_000, totalBalances: 1_500_000 });
  });

  it('lists violations and exits 3 when money appeared outside the ledger', async () => {
    const victim = await f.daemon.admin.createUser('lucky', 1000);
    const sql = postgres(f.db.url, { max: 1, onnotice: () => {} });
    try {
      // Money from nowhere: a balance change without a ledger row.
      await sql`UPDATE users SET balance = balance + 77 WHERE id = ${victim.id}`;
      const r = await f.run(['audit']);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe('neighborbid: the audit found 2 violation(s)\n');
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe('Audit found 2 violations.');
      expect(r.stdout).toContain('total deposits  1,501,000\ntotal balances  1,501,077\n');
      const header = lines.findIndex((l) => /^KIND\s+USER\s+AUCTION\s+MESSAGE$/.test(l));
      expect(header).toBeGreaterThan(0);
      expect(lines[header + 1]).toMatch(new RegExp(`^ledger_mismatch\\s+${victim.id}\\s+user ${victim.id} has balance 1077/held 0 but the ledger says 1000/0$`));
      expect(lines[header + 2]).toMatch(/^money_not_conserved\s+deposits total 1501000 but balances total 1501077$/);

      const j = await f.json(['audit']);
      expect(j.code).toBe(3);
      expect(j.body.ok).toBe(false);
      expect(j.body.violations.map((v: { kind: string }) => v.kind).sort()).toEqual(['ledger_mismatch', 'money_not_conserved']);
      expect(j.body.error).toBeUndefined();
    } finally {
      await sql`UPDATE users SET balance = balance - 77 WHERE id = ${victim.id}`;
      await sql.end();
    }
    expect((await f.run(['audit'])).code).toBe(0);
  });

  it('needs the admin token (exit 5)', async () => {
    const user = await f.daemon.admin.createUser('nosy');
    const r = await f.run(['audit'], { NEIGHBORBID_ADMIN_TOKEN: user.token });
    expect(r).toEqual({ code: 5, stdout: '', stderr: 'neighborbid: FORBIDDEN: This needs the admin token.\n' });
  });
});

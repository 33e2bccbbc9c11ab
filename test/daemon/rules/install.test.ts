// The rules live in files of their own (src/daemon/rules/sql/) and every daemon
// installs them at start. Two daemons of different rules versions on one
// database never run each other's rules: one that finds newer rules refuses to
// start, in one line; one still running when newer rules arrive answers
// UNAVAILABLE and says why in its log. "Newer rules" here are this daemon's
// with the next version number and one signature changed, installed by the
// real installer as a newer daemon would.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Sql } from '../../../src/daemon/db/database.js';
import { migrate } from '../../../src/daemon/db/migrate.js';
import { installRules } from '../../../src/daemon/rules/install.js';
import { functionsOf, hashOf, rules, RULES_VERSION, type RuleSet } from '../../../src/daemon/rules/sql/index.js';
import { runCli } from '../../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { CLEAN_ENV, startTestDaemon, tempDir, type StartedTestDaemon } from '../../helpers/daemon.js';
import { send } from '../../helpers/raw-http.js';
import { waitFor } from '../../helpers/poll.js';

const V = RULES_VERSION;
const opened: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function database(): Promise<{ db: TestDatabase; sql: Sql }> {
  const db = await createTestDatabase();
  const sql = openDatabase({ url: db.url, max: 2 });
  opened.push({ close: async () => (await sql.end({ timeout: 1 }), await db.drop()) });
  return { db, sql };
}

async function daemon(url: string, logger?: pino.Logger): Promise<StartedTestDaemon> {
  const d = await startTestDaemon(url, logger ? { logger } : {});
  opened.push({ close: async () => (await d.close(), await d.removeDir()) });
  return d;
}

/** The next version of these rules, with nb_settle_due taking one more argument. */
function newer(set: RuleSet): RuleSet {
  const files = set.files.map((f) => ({
    name: f.name,
    sql: f.sql
      .replaceAll(`p_rules IS DISTINCT FROM ${set.version}`, `p_rules IS DISTINCT FROM ${set.version + 1}`)
      .replaceAll(`p_rules = ${set.version}`, `p_rules = ${set.version + 1}`)
      .replace('nb_settle_due(p_limit integer, p_rules integer)', 'nb_settle_due(p_limit integer, p_rules integer, p_grace_sec integer)'),
  }));
  return { version: set.version + 1, files };
}

/** What a newer daemon does at its start: migrate, then install its rules, under the lock. */
function installAsNewerDaemon(sql: Sql, set: RuleSet, by = '9.9.9'): Promise<number[]> {
  return migrate(sql, async (tx) => void (await installRules(tx, by, set)));
}

/** Every overload of the rules' function names in the database, as PostgreSQL names them. */
async function overloads(sql: Sql): Promise<{ signature: string; oid: number }[]> {
  const names = [...new Set(functionsOf(rules).map((f) => f.name))];
  return sql<{ signature: string; oid: number }[]>`
    SELECT p.oid::regprocedure::text AS signature, p.oid::int AS oid FROM pg_proc p
     WHERE p.proname IN (SELECT jsonb_array_elements_text(${sql.json(names)})) ORDER BY 1`;
}

/** A logger whose lines a test can read. */
function capturedLog(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      // A line with a detail is read as the sentence it carries, after its message.
      const line = JSON.parse(chunk.toString('utf8')) as { msg: string; detail?: string };
      lines.push(line.detail === undefined ? line.msg : `${line.msg.replace(/rules outdated$/, '')}${line.detail}`);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('rules in files', () => {
  it('are installed at start: one version row, each rule function once, the signatures of migration 002 gone', async () => {
    const { db, sql } = await database();
    await daemon(db.url);
    const [row] = await sql<{ version: number; hash: string; functions: string[] }[]>`
      SELECT version, hash, to_jsonb(functions) AS functions FROM rules_version`;
    expect(row).toMatchObject({ version: V, hash: hashOf(rules) });
    const names = [...new Set(functionsOf(rules).map((f) => f.name))];
    expect([...row!.functions].sort()).toEqual([...names].sort());
    const installed = (await overloads(sql)).map((o) => o.signature);
    expect(installed).toHaveLength(functionsOf(rules).length);
    expect(installed).toContain('nb_place_bids(bigint,jsonb,integer)');
    expect(installed).not.toContain('nb_place_bids(bigint,jsonb)');
    // Rules versions 5 to 9 took a fourth argument, p_inbox.
    expect(installed).not.toContain('nb_place_bids(bigint,jsonb,integer,boolean)');
  });

  it('are installed again by every start, replacing each function in place', async () => {
    const { db, sql } = await database();
    await daemon(db.url);
    const before = await overloads(sql);
    await daemon(db.url);
    expect(await overloads(sql)).toEqual(before);
  });

  it('keep a daemon from starting against newer rules, with one line naming both versions', async () => {
    const { db, sql } = await database();
    await installAsNewerDaemon(sql, newer(rules));
    const message =
      `The database has neighborbid rules version ${V + 1} (installed by neighborbid 9.9.9); ` +
      `this daemon has rules version ${V} and will not run against newer rules: upgrade it.`;
    await expect(startTestDaemon(db.url)).rejects.toMatchObject({ code: 'UNAVAILABLE', message });

    const dir = await tempDir('nb-rules-');
    opened.push({ close: dir.remove });
    const r = await runCli(['daemon', '--database-url', db.url, '--data-dir', dir.path, '--port', '0'], { ...CLEAN_ENV, HOME: dir.path });
    expect(r).toEqual({ code: 6, stdout: '', stderr: `neighborbid: UNAVAILABLE: ${message}\n` });
    // Nothing of the newer rules was touched.
    expect(await sql`SELECT version FROM rules_version`).toEqual([{ version: V + 1 }]);
  });

  it('keep a daemon from starting against other text under its own version', async () => {
    const { db, sql } = await database();
    const edited = { version: V, files: rules.files.map((f, i) => (i === 0 ? { ...f, sql: `${f.sql}\n-- edited` } : f)) };
    await installAsNewerDaemon(sql, edited, '0.0.0-dev');
    await expect(startTestDaemon(db.url)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: `The database has neighborbid rules version ${V} (installed by neighborbid 0.0.0-dev) with other text than this daemon has for that version: a change to the rules needs a new RULES_VERSION.`,
    });
  });

  it('make an older daemon still running answer UNAVAILABLE, run none of them, and say why in its log', async () => {
    const { db, sql } = await database();
    const { logger, lines } = capturedLog();
    const old = await daemon(db.url, logger);
    const seller = await old.admin.createUser('seller');
    const bidder = await old.admin.createUser('bidder', 10_000);
    const lot = await old.client(seller.token).createAuction({ title: 'Lamp', startPrice: 100, minIncrement: 10, durationSec: 600 });
    await old.client(bidder.token).bid(lot.id, 100);

    await installAsNewerDaemon(sql, newer(rules));
    const bid = await send(old.url, { path: `/v1/auctions/${lot.id}/bids`, token: bidder.token, body: { amount: 200 } });
    const read = await send(old.url, { path: `/v1/auctions/${lot.id}` });
    const cancel = await send(old.url, { path: `/v1/auctions/${lot.id}/cancel`, token: seller.token, body: {} });
    const refusal = {
      code: 'UNAVAILABLE',
      reason: 'rules',
      message: 'This daemon is older than the rules installed in its database; try another daemon, or again once it is upgraded.',
    };
    for (const r of [bid, read, cancel]) {
      expect(r.status).toBe(503);
      expect(r.json).toEqual({ error: refusal });
    }
    // Nothing ran: one bid, as before the newer rules came.
    expect(await sql`SELECT count(*)::int AS n FROM bids WHERE auction_id = ${lot.id}`).toEqual([{ n: 1 }]);

    // One line for all those requests (not one each), naming both versions.
    const said = lines.filter((l) => l.startsWith('the rules in the database'));
    expect(said).toEqual([
      `the rules in the database are no longer this daemon's (rules version ${V}): rules version ${V + 1} (installed by neighborbid 9.9.9) ` +
        `replaced version ${V} in this database. It answers UNAVAILABLE until it is stopped; run an upgraded daemon instead.`,
    ]);
    // Its closer calls a rule whose signature the newer rules changed: it notices too.
    await waitFor(() => lines.some((l) => l.startsWith('closer: the rules in the database') && l.includes('nb_settle_due')), 10_000, 'the closer');
  });
});

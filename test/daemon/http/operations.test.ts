// Health (with the probes orchestrators use) and the Prometheus metrics: what
// operators and the bench read.
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/daemon/db/database.js';
import { migrations } from '../../../src/daemon/db/migrations.js';
import { buildHttpApp } from '../../../src/daemon/http/app.js';
import { VERSION } from '../../../src/version.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { deadUrl } from '../../helpers/daemon.js';
import { useRulesDaemon } from '../../helpers/fixture.js';
import { send } from '../../helpers/raw-http.js';
import { ENDS_SOON, expectRefused, seedAuction, seedUser, waitUntilEnded } from '../../helpers/seed.js';

const t = useRulesDaemon();

/** The value of one sample line, e.g. `nb_bids_total{result="accepted"}`. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('health', () => {
  it('says the daemon and its database are up, with version and daemon id', async () => {
    const r = await send(t.daemon.url, { path: '/v1/health' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ ok: true, version: VERSION, database: 'up', daemonId: t.daemon.daemonId });
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('probes for orchestrators', () => {
  const closing: { close(): Promise<unknown> }[] = [];
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const c of closing) await c.close();
    for (const d of dbs) await d.drop();
  });

  /** The daemon's HTTP app on another database (or none), as `sql` and `draining` make it look. */
  function appOn(sql: ReturnType<typeof openDatabase>, draining = false) {
    const app = buildHttpApp({ ...t.daemon.context, sql, draining: () => draining }, { logger: pino({ level: 'silent' }), rateLimit: false });
    closing.push(app, { close: () => sql.end({ timeout: 1 }) });
    return app;
  }

  it('live and ready answer 200 while the daemon is up and its database migrated', async () => {
    for (const path of ['/v1/health/live', '/v1/health/ready']) {
      const r = await send(t.daemon.url, { path });
      expect([path, r.status, r.json]).toEqual([path, 200, { ok: true }]);
    }
  });

  it('ready is 503 UNAVAILABLE when the database cannot be reached; live stays 200', async () => {
    const app = appOn(openDatabase({ url: `postgres://nobody:x@${new URL(await deadUrl()).host}/none`, max: 1 }));
    const ready = await app.inject({ url: '/v1/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ error: { code: 'UNAVAILABLE', reason: 'databaseDown', message: 'The database cannot be reached.', database: 'down' } });
    expect(ready.headers['retry-after']).toBe('1');
    expect((await app.inject({ url: '/v1/health/live' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/health' })).json()).toMatchObject({ ok: false, database: 'down' });
  });

  it('ready is 503 UNAVAILABLE naming the migrations a database lacks', async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    const sql = openDatabase({ url: db.url, max: 1 });
    const app = appOn(sql);
    const versions = migrations.map((m) => m.version);
    const empty = await app.inject({ url: '/v1/health/ready' });
    expect(empty.statusCode).toBe(503);
    expect(empty.json()).toMatchObject({ error: { code: 'UNAVAILABLE', database: 'up', pendingMigrations: versions } });
    // All but the newest applied: the newest is named.
    const last = versions.at(-1)!;
    await sql`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL)`;
    for (const m of migrations.slice(0, -1)) await sql`INSERT INTO schema_migrations VALUES (${m.version}, ${m.name})`;
    const behind = await app.inject({ url: '/v1/health/ready' });
    expect(behind.json()).toEqual({
      error: { code: 'UNAVAILABLE', reason: 'pendingMigrations', message: `The database lacks migrations ${last}.`, database: 'up', pendingMigrations: [last] },
    });
    await sql`INSERT INTO schema_migrations VALUES (${last}, 'newest')`;
    expect((await app.inject({ url: '/v1/health/ready' })).statusCode).toBe(200);
  });

  it('ready is 503 SHUTTING_DOWN once the daemon is stopping; live stays 200', async () => {
    const app = appOn(openDatabase({ url: t.db.url, max: 1 }), true);
    const ready = await app.inject({ url: '/v1/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ error: { code: 'SHUTTING_DOWN' } });
    expect((await app.inject({ url: '/v1/health/live' })).json()).toEqual({ ok: true });
  });
});

describe('metrics', () => {
  it('counts bids by result, request latency, settlements and pool use in Prometheus text', async () => {
    const a = await seedAuction(t.seller, { durationSec: ENDS_SOON });
    const [rich, poor] = [await seedUser(t.daemon, 1000), await seedUser(t.daemon, 50)];
    await rich.client.bid(a.id, 100);
    await rich.client.bid(a.id, 120);
    await expectRefused(rich.client.bid(a.id, 125), 'BID_TOO_LOW');
    await expectRefused(poor.client.bid(a.id, 200), 'INSUFFICIENT_FUNDS');
    await waitUntilEnded(a.endsAt);
    expect(await t.daemon.closer.runOnce()).toBe(1);

    const r = await send(t.daemon.url, { path: '/metrics' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = r.text;
    expect(sample(text, 'nb_bids_total{result="accepted"}')).toBe(2);
    expect(sample(text, 'nb_bids_total{result="BID_TOO_LOW"}')).toBe(1);
    expect(sample(text, 'nb_bids_total{result="INSUFFICIENT_FUNDS"}')).toBe(1);
    expect(sample(text, 'nb_http_request_duration_seconds_count{method="POST",route="/v1/auctions/:id/bids",status="201"}')).toBe(2);
    expect(sample(text, 'nb_http_request_duration_seconds_count{method="POST",route="/v1/auctions/:id/bids",status="422"}')).toBe(2);
    expect(text).toMatch(/^nb_http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/v1\/auctions",status="201"\} \d+$/m);
    expect(sample(text, 'nb_bid_batch_size_bids_count')).toBe(4);
    expect(sample(text, 'nb_auctions_settled_total')).toBe(1);
    expect(sample(text, 'nb_db_retries_total')).toBe(0);
    expect(sample(text, 'nb_db_pool_max_connections')).toBe(16);
    expect(text).not.toMatch(/^nb_db_pool_connections\{state="max"\}/m);
    expect(text).toMatch(/^nb_db_pool_connections\{state="(idle|active)"\} [1-9]\d*$/m);
    // The process and Node.js metrics under their standard names, as stock dashboards expect.
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
    expect(text).not.toMatch(/^nb_(process|nodejs)_/m);
    for (const name of ['nb_bids_total', 'nb_http_request_duration_seconds', 'nb_db_pool_connections', 'nb_auctions_settled_total']) {
      expect(text).toContain(`# HELP ${name} `);
    }
  });
});

// The HTTP app's edges that need no particular data: draining refuses new work
// with SHUTTING_DOWN while reads go on, and an unexpected failure is a bare
// INTERNAL, never a stack trace or an internal message.
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHttpApp } from '../../../src/daemon/http/app.js';
import { installErrorHandling } from '../../../src/daemon/http/errors.js';
import { useRulesDaemon } from '../../helpers/fixture.js';
import { seedAuction, seedUser } from '../../helpers/seed.js';

const t = useRulesDaemon();
const silent = pino({ level: 'silent' });

describe('draining', () => {
  const apps: { close(): Promise<unknown> }[] = [];
  afterAll(() => Promise.all(apps.map((a) => a.close())));

  it('refuses writes with SHUTTING_DOWN and keeps answering reads', async () => {
    const bidder = await seedUser(t.daemon, 1000);
    const a = await seedAuction(t.seller);
    // The daemon's own context, seen as it is once shutdown has begun.
    const app = buildHttpApp({ ...t.daemon.context, draining: () => true }, { logger: silent });
    apps.push(app);

    const bid = await app.inject({
      method: 'POST', url: `/v1/auctions/${a.id}/bids`, payload: { amount: 100 },
      headers: { authorization: `Bearer ${bidder.token}` },
    });
    expect(bid.statusCode).toBe(503);
    expect(bid.headers['retry-after']).toBe('1');
    expect(bid.json()).toMatchObject({ error: { code: 'SHUTTING_DOWN', message: expect.any(String) } });

    const health = await app.inject({ method: 'GET', url: '/v1/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ ok: false, database: 'up' });
    const read = await app.inject({ method: 'GET', url: `/v1/auctions/${a.id}` });
    expect(read.statusCode).toBe(200);
    expect((await t.daemon.admin.auction(a.id)).bidCount).toBe(0);
  });
});

describe('unexpected failures', () => {
  it('answers 500 INTERNAL without the message or the stack', async () => {
    const app = Fastify({ loggerInstance: silent }) as unknown as FastifyInstance;
    installErrorHandling(app);
    app.get('/boom', async () => {
      throw new Error('password=hunter2 at /srv/secret.ts:12');
    });
    const r = await app.inject({ method: 'GET', url: '/boom' });
    await app.close();
    expect(r.statusCode).toBe(500);
    expect(r.json()).toEqual({ error: { code: 'INTERNAL', message: 'An unexpected error occurred.' } });
    expect(r.body).not.toMatch(/hunter2|secret|at \//);
  });
});

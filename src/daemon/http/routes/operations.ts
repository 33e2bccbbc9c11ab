// Health, audit, metrics and the API's own description: what operators,
// orchestrators, the bench and API tools look at.
import type { FastifyInstance } from 'fastify';
import { nbError } from '../../../protocol/errors.js';
import { openApiDocument } from '../../../protocol/openapi.js';
import type { Health } from '../../../protocol/types.js';
import { audit } from '../../rules/audit.js';
import type { DaemonContext } from '../../context.js';
import { pendingMigrations } from '../../db/migrate.js';
import { requireAdmin } from '../request.js';

/** A health check never waits longer than this for the database. */
const CHECK_MS = 2000;

/** `p`, or a failure once `ms` have passed; the timer never outlives the answer. */
async function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error('timeout')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export function operationRoutes(app: FastifyInstance, ctx: DaemonContext): void {
  app.get('/v1/health', async (_req, reply) => {
    let database: Health['database'] = 'up';
    try {
      await within(ctx.sql`SELECT 1`, CHECK_MS);
    } catch {
      database = 'down';
    }
    const postgres = ctx.postgres();
    const ok = database === 'up' && !ctx.draining() && postgres?.state !== 'restarting';
    const health: Health = { ok, version: ctx.version, database, daemonId: ctx.daemonId, ...(postgres ? { postgres } : {}) };
    return reply.code(ok ? 200 : 503).send(health);
  });

  // For orchestrators: live says the process answers (restart it if not); ready
  // says it can do its work (send it traffic only then), so it is not while stopping.
  app.get('/v1/health/live', async () => ({ ok: true }));

  app.get('/v1/health/ready', async () => {
    if (ctx.draining()) throw nbError('SHUTTING_DOWN');
    let pending: number[];
    try {
      pending = await within(pendingMigrations(ctx.sql), CHECK_MS);
    } catch {
      throw nbError('UNAVAILABLE', { reason: 'databaseDown', database: 'down' });
    }
    if (pending.length) throw nbError('UNAVAILABLE', { reason: 'pendingMigrations', database: 'up', pendingMigrations: pending });
    return { ok: true };
  });

  app.get('/v1/audit', async (req) => {
    await requireAdmin(ctx, req);
    return audit(ctx.sql);
  });

  app.get('/metrics', async (_req, reply) => {
    const text = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(text);
  });

  // Made on the first request: it is the same for the daemon's whole life.
  let openapi: string | undefined;
  app.get('/v1/openapi.json', async (_req, reply) => {
    openapi ??= JSON.stringify(openApiDocument(ctx.version));
    return reply.type('application/json; charset=utf-8').send(openapi);
  });
}

// Health, audit and metrics: what operators and the bench look at.
import type { FastifyInstance } from 'fastify';
import type { Health } from '../../../protocol/types.js';
import { audit } from '../../rules/audit.js';
import type { DaemonContext } from '../../context.js';
import { requireAdmin } from '../request.js';

export function operationRoutes(app: FastifyInstance, ctx: DaemonContext): void {
  app.get('/v1/health', async (_req, reply) => {
    let database: Health['database'] = 'up';
    try {
      await Promise.race([
        ctx.sql`SELECT 1`,
        new Promise((_, fail) => setTimeout(() => fail(new Error('timeout')), 2000)),
      ]);
    } catch {
      database = 'down';
    }
    const postgres = ctx.postgres();
    const ok = database === 'up' && !ctx.draining() && postgres?.state !== 'restarting';
    const health: Health = { ok, version: ctx.version, database, daemonId: ctx.daemonId, ...(postgres ? { postgres } : {}) };
    return reply.code(ok ? 200 : 503).send(health);
  });

  app.get('/v1/audit', async (req) => {
    await requireAdmin(ctx, req);
    return audit(ctx.sql);
  });

  app.get('/metrics', async (_req, reply) => {
    const text = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(text);
  });
}

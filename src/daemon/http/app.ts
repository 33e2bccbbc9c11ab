// The HTTP API: a Fastify app that only translates. Rules live in ../rules.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { nbError } from '../../protocol/errors.js';
import type { DaemonContext } from '../context.js';
import { clientErrorHandler, installErrorHandling, sendError } from './errors.js';
import type { PeerLimits } from '../peer-limits.js';
import { DEFAULT_RATE_LIMIT, type RateLimitOptions } from '../../protocol/limit-defaults.js';
import { RateBudget } from '../rate-budget.js';
import { registerRateLimit } from './rate-limit.js';
import { auctionRoutes } from './routes/auctions.js';
import { operationRoutes } from './routes/operations.js';
import { userRoutes } from './routes/users.js';

export interface HttpOptions {
  logger: Logger;
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
  /** Connections per peer address; requests on a connection over the limit are refused. */
  peers?: PeerLimits;
  /** Requests per token per window; false turns the limit off. */
  rateLimit?: RateLimitOptions | false;
  /** The budget requests count in, when it is shared (with bids over the socket); else one of `rateLimit`'s. */
  rateBudget?: RateBudget | undefined;
}

const registered = new WeakMap<FastifyInstance, string[]>();

/** Every route registered on an app built here, as `METHOD /path` (Fastify's onRoute hook; complete once it listens). */
export function registeredRoutes(app: FastifyInstance): readonly string[] {
  return registered.get(app) ?? [];
}

/** Request bodies are tiny JSON objects; anything larger is refused unread. */
export const DEFAULT_BODY_LIMIT = 16 * 1024;

export function buildHttpApp(ctx: DaemonContext, options: HttpOptions): FastifyInstance {
  // Typed as a default-logger instance so route modules need no pino generics.
  const app = Fastify({
    loggerInstance: options.logger,
    // Per-request lines would drown the log under load; onResponse logs at debug.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // While closing, the draining hook below answers SHUTTING_DOWN in our error
    // shape (Fastify's own 503 body has another shape) and reads go on.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Node answers an HTTP/1.1 request without Host itself, with an empty 400;
    // the onRequest hook below refuses it in the error shape instead.
    http: { requireHostHeader: false },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 100 },
    // Bad URLs are refused before routing; answer them like every other error.
    frameworkErrors: sendError,
    clientErrorHandler,
  }) as unknown as FastifyInstance;
  // First, so that it sees every route, the socket's and the plugins' too.
  const routes: string[] = [];
  registered.set(app, routes);
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) routes.push(`${m} ${r.url}`);
  });
  installErrorHandling(app);

  app.addHook('onRequest', async (req, reply) => {
    if (req.headers.host === undefined && req.raw.httpVersion === '1.1') {
      reply.header('connection', 'close');
      throw nbError('INVALID_INPUT', { reason: 'noHost' });
    }
    const refused = options.peers?.refusal(req.raw.socket);
    if (refused) {
      reply.header('connection', 'close');
      throw refused;
    }
    // While draining, reads still work but no new work is taken.
    if (ctx.draining() && req.method !== 'GET') throw nbError('SHUTTING_DOWN');
  });
  app.addHook('onResponse', async (req, reply) => {
    ctx.metrics.requestSeconds.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unknown', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    req.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });

  if (options.rateLimit !== false) registerRateLimit(app, ctx, options.rateBudget ?? new RateBudget(options.rateLimit ?? DEFAULT_RATE_LIMIT));
  // In a plugin, so that the rate limiter (loaded first) sees every route.
  void app.register(async (api) => {
    userRoutes(api, ctx);
    auctionRoutes(api, ctx);
    operationRoutes(api, ctx);
  });
  return app;
}

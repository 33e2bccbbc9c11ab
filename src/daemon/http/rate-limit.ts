// The per-token rate limit (@fastify/rate-limit): each user token has its own
// budget of requests per window, requests without a valid token share one per
// peer address, and the admin token has none (it can do everything anyway, and
// seeding scripts lean on it). Past the budget: 429 RATE_LIMITED with Retry-After.
import rateLimit, { type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { nbError } from '../../protocol/errors.js';
import { principalKey } from '../auth.js';
import type { DaemonContext } from '../context.js';
import { principalOf } from './request.js';
import type { RateBudget } from '../rate-budget.js';

/** The budget a request is counted against: its verified principal, else its address. */
async function keyOf(ctx: DaemonContext, req: FastifyRequest): Promise<string> {
  if (req.headers.authorization === undefined) return `ip:${req.ip}`;
  try {
    return principalKey(await principalOf(ctx, req));
  } catch {
    // A wrong token (or a database that is away) counts against the address;
    // the route answers the token's error itself.
    return `ip:${req.ip}`;
  }
}

/**
 * The plugin's store: the shared budget. (The plugin makes its store with
 * `new`; a constructor that returns an object makes that object the instance.)
 */
function sharedStore(budget: RateBudget): FastifyRateLimitStoreCtor {
  const store: FastifyRateLimitStore = {
    incr(key, cb) {
      const t = budget.take(key);
      cb(null, { current: t.count, ttl: t.resetMs });
    },
    child: () => store,
  };
  return function SharedStore() {
    return store;
  } as unknown as FastifyRateLimitStoreCtor;
}

/**
 * Registers the limiter; routes registered after it (in a later plugin) are
 * limited. Requests count in `budget`, which the socket hub's bids share.
 */
export function registerRateLimit(app: FastifyInstance, ctx: DaemonContext, budget: RateBudget): void {
  const options = budget.options;
  void app.register(rateLimit, {
    max: options.max,
    timeWindow: options.windowMs,
    store: sharedStore(budget),
    keyGenerator: (req) => keyOf(ctx, req),
    allowList: (_req, key) => key === 'admin',
    errorResponseBuilder: (_req, c) =>
      nbError('RATE_LIMITED', { limit: c.max, windowMs: options.windowMs, retryAfterSec: Math.ceil(c.ttl / 1000) }),
  });
}

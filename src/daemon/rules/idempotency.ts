// Idempotency-Key handling for the rules written in TypeScript (users,
// deposits, auction creation). The SQL rules use the same nb_idem_* functions,
// so a key behaves the same on every route: a retry with the same key and body
// gets the first answer; the same key with another body is IDEMPOTENCY_CONFLICT.
import { createHash } from 'node:crypto';
import { NbError } from '../../protocol/errors.js';
import { withRetry, type Sql, type TxSql } from '../db/database.js';
import { errorOutcome, toOutcome, type Outcome, type RuleAnswer } from './outcome.js';
import { RULES_VERSION } from './sql/index.js';

/** Identifies a request for key reuse: method, route and canonical body. */
export function requestHash(method: string, route: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${route}\n${canonicalJson(body ?? {})}`).digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface IdempotencyContext {
  principal: string;
  key: string | undefined;
  hash: string;
}

/**
 * Runs fn inside tx under the caller's key; its body is answered with the
 * status `success`. A rule error (NbError) thrown by fn is stored as the answer
 * too, in a savepoint so its partial writes are undone.
 */
async function idempotent(tx: TxSql, ctx: IdempotencyContext, success: number, fn: (sp: TxSql) => Promise<unknown>): Promise<Outcome> {
  if (ctx.key === undefined) return { status: success, body: await fn(tx) };
  const [claim] = await tx<{ r: RuleAnswer | null }[]>`
    SELECT nb_idem_claim(${ctx.principal}, ${ctx.key}, ${ctx.hash}, ${RULES_VERSION}) AS r`;
  if (claim?.r) return toOutcome(claim.r, success);
  let outcome: Outcome;
  try {
    outcome = { status: success, body: await tx.savepoint((sp) => fn(sp as TxSql)) };
  } catch (err) {
    if (!(err instanceof NbError) || err.retryable || err.code === 'INTERNAL') throw err;
    outcome = errorOutcome(err);
  }
  await tx`SELECT nb_idem_store(${ctx.principal}, ${ctx.key}, ${tx.json({ body: outcome.body } as never)}, ${RULES_VERSION})`;
  return outcome;
}

/**
 * One transaction (retried on deadlocks and serialization failures) running fn
 * under the caller's key; fn's result is the body of a `success` answer.
 */
export function idempotentTx(sql: Sql, ctx: IdempotencyContext, success: number, fn: (sp: TxSql) => Promise<unknown>): Promise<Outcome> {
  return withRetry(() => sql.begin((tx) => idempotent(tx, ctx, success, fn))) as Promise<Outcome>;
}

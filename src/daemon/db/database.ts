// The daemon's PostgreSQL pool (porsager/postgres) and the one place database
// failures are classified: retried inside the daemon, or answered as a stable
// code. Nothing above this file sees a driver error.
import postgres from 'postgres';
import { nbError, NbError } from '../../protocol/errors.js';

export type Sql = postgres.Sql<{ bigint: number }>;
export type TxSql = postgres.TransactionSql<{ bigint: number }>;

export interface DatabaseOptions {
  url: string;
  /** Pool size; PostgreSQL on a small machine is fastest with a small pool. */
  max?: number;
  applicationName?: string;
  /**
   * The URL goes through a transaction pooler (PgBouncer in transaction mode):
   * no named prepared statements (a statement prepared on one server
   * connection is unknown on the next; PgBouncer 1.18, Debian 12's, does not
   * track them) and no pipelining (see noPipelining).
   */
  pooler?: boolean;
}

/** Opens a pool whose BIGINTs arrive as safe JS integers (money is never a float). */
export function openDatabase(options: DatabaseOptions): Sql {
  const sql = postgres(options.url, {
    max: options.max ?? 16,
    idle_timeout: 30,
    prepare: !options.pooler,
    connect_timeout: 5,
    // The driver's default waits up to 20 s between reconnects once a few have
    // failed, and a query waits with it: a request during a database outage would
    // hang instead of being answered UNAVAILABLE. At most a second, with jitter.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1) * (0.5 + Math.random() / 2),
    // The driver's per-connection array-type lookup leaves an unhandled
    // rejection when a connection drops mid-lookup (a database restart), which
    // would kill the daemon. We pass arrays as literals (sqlArray) instead.
    fetch_types: false,
    onnotice: () => {},
    ...(process.env.NB_COUNT_QUERIES ? { debug: countQuery(options.applicationName ?? 'neighborbid') } : {}),
    connection: { application_name: options.applicationName ?? 'neighborbid' },
    types: {
      bigint: {
        to: 20,
        from: [20],
        serialize: (value: number) => String(value),
        parse: (raw: string) => {
          const n = Number(raw);
          if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT ${raw} is not a safe integer`);
          return n;
        },
      },
    },
  }) as unknown as Sql;
  return options.pooler ? noPipelining(sql) : sql;
}

/**
 * The pool, sending no query behind another on one connection outside a
 * transaction. The driver pipelines: with every connection busy, a query is
 * written behind one in flight. Through PgBouncer 1.18 in transaction mode
 * that loses queries: at the first query's ReadyForQuery PgBouncer hands the
 * server connection to another client, while the query behind it — without
 * prepared statements, a Parse/Describe/Flush awaiting its parameter types,
 * no Sync yet — waits for an answer that never comes (reproduced on Debian
 * 12's PgBouncer: every run hung within seconds; pgbouncer/pgbouncer#759).
 * The driver's own max_pipeline cannot be 0 (sql.begin reserves its
 * connection from the same hook), so each top-level query gets that hook,
 * `onexecute`, answering "no more on this connection": the next query waits
 * for a free connection instead. Queries inside sql.begin run on the
 * transaction's connection, which PgBouncer keeps until COMMIT, and are left
 * alone. The hook is the driver's (postgres 3.4), used by its sql.begin.
 */
function noPipelining(sql: Sql): Sql {
  const alone = () => false;
  return new Proxy(sql, {
    apply(target, self, args: unknown[]) {
      const made: unknown = Reflect.apply(target as unknown as (...a: unknown[]) => unknown, self, args);
      const options = (made as { options?: { onexecute?: unknown } } | null)?.options;
      if (made instanceof Promise && options) options.onexecute = alone;
      return made;
    },
  });
}

/**
 * A BIGINT[] parameter as a PostgreSQL array literal (`{1,2,3}`), to be cast
 * with `::bigint[]` in the query; the driver is not told array types.
 */
export function sqlArray(values: readonly number[]): string {
  for (const v of values) if (!Number.isSafeInteger(v)) throw new RangeError(`not a safe integer: ${v}`);
  return `{${values.join(',')}}`;
}

const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected
// Connection-class, shutdown and startup states: the database is away, not wrong.
const UNAVAILABLE_SQLSTATE_PREFIXES = ['08', '57P', '53'];
const UNAVAILABLE_DRIVER_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN',
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
]);

function codeOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}

/** True for failures that a fresh attempt of the same transaction can cure. */
export function isRetryable(err: unknown): boolean {
  return RETRYABLE_SQLSTATES.has(codeOf(err));
}

/** True when the database is unreachable or restarting. */
export function isUnavailable(err: unknown): boolean {
  const code = codeOf(err);
  return UNAVAILABLE_DRIVER_CODES.has(code) || UNAVAILABLE_SQLSTATE_PREFIXES.some((p) => code.startsWith(p));
}

/**
 * True when the database refused a rule call because a newer daemon replaced
 * the rules (src/daemon/rules/install.ts): the call carried another rules
 * version (NB001), or names a rule function by a signature that is gone.
 */
export function isRulesOutdated(err: unknown): boolean {
  const code = codeOf(err);
  return code === 'NB001' || (code === '42883' && /\bnb_\w+\(/.test(String((err as Error).message)));
}

/** Translates any failure from the database layer into an error value. */
export function toNbError(err: unknown): NbError {
  if (err instanceof NbError) return err;
  if (isUnavailable(err)) return nbError('UNAVAILABLE');
  if (isRulesOutdated(err)) {
    // The database's words (which versions) stay with the error for the daemon's log, not its clients.
    const e = nbError('UNAVAILABLE', { reason: 'rules' });
    e.cause = err;
    return e;
  }
  if (codeOf(err) === '23514') {
    if ((err as { constraint_name?: string }).constraint_name === 'money_supply_total_safe') {
      return nbError('INVALID_INPUT', { reason: 'moneySupply' });
    }
    return nbError('INVALID_INPUT', { reason: 'balanceRange' });
  }
  // What went wrong stays with the error for the daemon's log, not its clients.
  const e = nbError('INTERNAL');
  e.cause = err;
  return e;
}

export interface RetryOptions {
  attempts?: number;
  onRetry?: (err: unknown, attempt: number) => void;
}

/**
 * Runs fn, retrying deadlocks and serialization failures a bounded number of
 * times with jittered backoff; anything else is thrown at once.
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 6;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryable(err) || attempt >= attempts) throw err;
      options.onRetry?.(err, attempt);
      await new Promise((r) => setTimeout(r, Math.random() * 5 * 2 ** attempt));
    }
  }
}

// TEMPORARY (measuring): counts queries per pool and statement head, dumped every second.
const counts = new Map<string, number>();
let dumper: NodeJS.Timeout | undefined;
function countQuery(app: string) {
  if (!dumper) {
    dumper = setInterval(() => {
      void import('node:fs').then((fs) => fs.writeFileSync(`${process.env.NB_COUNT_QUERIES}/q-${process.pid}.json`, JSON.stringify([...counts].sort((a, b) => b[1] - a[1]), null, 1)));
    }, 1000);
    dumper.unref();
  }
  return (_c: unknown, query: string) => {
    const k = `${app.replace(/:[0-9a-f]+/, '')} | ${query.replace(/\s+/g, ' ').trim().slice(0, 70)}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  };
}

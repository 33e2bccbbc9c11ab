// Errors as log fields. An expected failure (the database away, a lost LISTEN
// connection) is logged with its type, code and message; its stack only when
// debug is on, where it helps and its noise is asked for.
import pino from 'pino';

const DEBUG = pino.levels.values.debug!;

/** `{ err }` for a log line: the whole error (with its stack) at debug, else its type, code and message. */
export function errorFields(log: { level: string }, err: unknown): { err: unknown } {
  if ((pino.levels.values[log.level] ?? Infinity) <= DEBUG || !(err instanceof Error)) return { err };
  // Same class (pino's serializer names it as `type`), no stack.
  const brief = Object.create(Object.getPrototypeOf(err) as object) as Error & { code?: unknown };
  brief.message = err.message;
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined) brief.code = code;
  return { err: brief };
}

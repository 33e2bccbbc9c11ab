// `neighborbid status` (or `whoami`): where the daemon is, how it is, which
// versions talk, and who the token says you are. It reports what it could
// learn even when part of it fails, and leaves with the failure's exit code.
import { HttpClient } from '../../client/http-client.js';
import { NbError, nbError, type ErrorBody } from '../../protocol/errors.js';
import type { Health } from '../../protocol/types.js';
import { VERSION } from '../../version.js';
import type { Context } from '../context.js';
import { keyValues } from '../tables.js';

type Who = { kind: 'admin' } | { kind: 'user'; id: number; name: string };

/** What `status --json` prints. */
export interface Status {
  url: string;
  client: { version: string };
  /** The daemon's health answer, or why there is none. */
  daemon: (Health & { reachable: true }) | { reachable: false; error: ErrorBody };
  /** Who the token belongs to; null without a token or when it is refused (see tokenError). */
  user: Who | null;
  token: 'flag' | 'environment' | 'config' | null;
  tokenError?: ErrorBody;
  configFile: string;
  warnings: string[];
}

/** The major version of `1.2.3`-like text, or undefined when it is not one. */
function major(version: string): number | undefined {
  const m = /^v?(\d+)\.\d+/.exec(version);
  return m ? Number(m[1]) : undefined;
}

function asError(err: unknown): NbError {
  if (err instanceof NbError) return err;
  throw err;
}

/** Prints the status; the exit code says whether the daemon is healthy (6) and the token accepted (5). */
export async function status(ctx: Context): Promise<void> {
  const { url, token } = ctx.identity();
  const client = new HttpClient({ url, token, timeoutMs: 5_000 });
  const warnings: string[] = [];
  const failures: NbError[] = [];
  const out: Status = {
    url,
    client: { version: VERSION },
    daemon: { reachable: false, error: nbError('UNREACHABLE').toBody() },
    user: null,
    token: ctx.tokenSource(),
    configFile: ctx.configFile,
    warnings,
  };
  try {
    const health = await client.health();
    out.daemon = { reachable: true, ...health };
    if (!health.ok) failures.push(nbError('UNAVAILABLE', { reason: 'unhealthy', origin: url, database: health.database }));
    const daemonMajor = major(health.version);
    if (daemonMajor !== undefined && daemonMajor !== major(VERSION)) {
      warnings.push(`this client is ${VERSION} and the daemon ${health.version}: their major versions differ, so some commands may not work; use a client of the daemon's major version`);
    }
  } catch (err) {
    const e = asError(err);
    out.daemon = { reachable: false, error: e.toBody() };
    failures.push(e);
  }
  if (token && out.daemon.reachable) {
    try {
      out.user = await client.whoami();
    } catch (err) {
      const e = asError(err);
      out.tokenError = e.toBody();
      failures.push(e);
    }
  }
  client.close();

  ctx.print(out, () => human(out, ctx));
  for (const w of warnings) ctx.note(`warning: ${w}`);
  for (const e of failures) ctx.note(`${e.code}: ${e.message}`);
  // The first failure decides: an unreachable or unhealthy daemon (6) before a refused token (5).
  if (failures[0]) process.exitCode = failures[0].exitCode;
}

function human(s: Status, ctx: Context): string {
  const d = s.daemon;
  const daemon = d.reachable
    ? `${d.ok ? ctx.paint('green', 'ok') : ctx.paint('red', 'not ok')}, version ${d.version}, database ${d.database}`
    : ctx.paint('red', `unreachable (${d.error.code})`);
  const from = { flag: 'from --token', environment: 'from NEIGHBORBID_TOKEN', config: 'saved by login' }[s.token ?? 'flag'];
  const user = s.user
    ? s.user.kind === 'user'
      ? `${s.user.name} (id ${s.user.id}), token ${from}`
      : `the admin, token ${from}`
    : s.tokenError
      ? ctx.paint('red', `token ${from} refused (${s.tokenError.code})`)
      : s.token
        ? `unknown: the daemon cannot be asked`
        : "not logged in (run 'neighborbid login --with-token < file')";
  return keyValues(
    [
      ['daemon', s.url],
      ['health', daemon],
      ['client', `version ${s.client.version}`],
      ['you', user],
      ['config', s.configFile],
    ],
    ctx.paint,
  );
}

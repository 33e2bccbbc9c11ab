// `neighborbid daemon`: runs the daemon in the foreground until SIGINT/SIGTERM.
// Every way out is accounted for: a refused start says why in one line; a
// signal stops within the shutdown bound; a second signal, a shutdown past its
// bound or a crash stop the embedded PostgreSQL at once and say so.
import { Command, InvalidArgumentError, Option } from 'commander';
import { nbError } from '../../protocol/errors.js';
import { examples } from '../help-text.js';
import type { Daemon } from '../../daemon/daemon.js';
import { DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_MAX_SOCKETS_PER_IP, DEFAULT_RATE_LIMIT } from '../../protocol/limit-defaults.js';

function port(value: string): number {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

function count(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError('must be a whole number (0 turns the limit off)');
  return Number(value);
}

function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d{1,6}(\.\d{1,3})?$/.test(value) || n <= 0) throw new InvalidArgumentError('must be a number of seconds above 0');
  return n;
}

interface DaemonFlags {
  host: string;
  port: number;
  databaseUrl?: string;
  listenDatabaseUrl?: string;
  dataDir?: string;
  logLevel: string;
  maxConnectionsPerIp: number;
  maxSocketsPerIp: number;
  rateLimit: number;
  rateLimitWindow: number;
}

export function registerDaemon(program: Command): void {
  program
    .command('daemon')
    .description('run the bidding daemon (embedded PostgreSQL unless --database-url is given)')
    .addOption(new Option('--host <address>', 'address to bind').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to bind (0 picks a free one)').default(7700).argParser(port))
    .addOption(new Option('--database-url <url>', 'use this PostgreSQL instead of the embedded one').env('DATABASE_URL'))
    .addOption(
      new Option('--listen-database-url <url>', 'a direct connection for LISTEN and migrations, when --database-url goes through PgBouncer (default: --database-url)')
        .env('NEIGHBORBID_LISTEN_DATABASE_URL'),
    )
    .addOption(new Option('--data-dir <dir>', 'data directory (default $XDG_DATA_HOME/neighborbid or ~/.local/share/neighborbid)').env('NEIGHBORBID_DATA_DIR'))
    .addOption(
      new Option('--log-level <level>', 'log level (JSON lines on stderr)')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info')
        .env('NEIGHBORBID_LOG_LEVEL'),
    )
    .addOption(
      new Option('--max-connections-per-ip <n>', 'HTTP connections open at once from one address (0: no limit)')
        .default(DEFAULT_MAX_CONNECTIONS_PER_IP)
        .argParser(count),
    )
    .addOption(
      new Option('--max-sockets-per-ip <n>', 'WebSockets open at once from one address (0: no limit)')
        .default(DEFAULT_MAX_SOCKETS_PER_IP)
        .argParser(count),
    )
    .addOption(
      new Option('--rate-limit <n>', 'requests per user token (or per address without one) per window (0: no limit)')
        .default(DEFAULT_RATE_LIMIT.max)
        .argParser(count),
    )
    .addOption(
      new Option('--rate-limit-window <seconds>', 'the rate limit window')
        .default(DEFAULT_RATE_LIMIT.windowMs / 1000)
        .argParser(seconds),
    )
    .addHelpText('after', examples(
      'neighborbid daemon',
      'neighborbid daemon --port 0 --data-dir ./nb-data --log-level warn',
      'neighborbid daemon --database-url postgres://user:pass@pgbouncer:6432/nb --listen-database-url postgres://user:pass@db:5432/nb',
    ))
    .action(async (opts: DaemonFlags) => {
      if (opts.listenDatabaseUrl && !opts.databaseUrl) {
        throw nbError('INVALID_INPUT', { reason: 'listenWithoutDatabase' });
      }
      const { startDaemon, SHUTDOWN_BOUND_MS } = await import('../../daemon/daemon.js');
      const { StartRefusal } = await import('../../daemon/start-refusal.js');
      const say = (line: string) => process.stderr.write(`neighborbid: ${line}\n`);
      // Signals are ours from the start: one during the start stops what was started.
      const starting = new AbortController();
      let daemon: Daemon | undefined;
      let stopping = false;
      const forced = async (why: string, code: number) => {
        const pg = daemon?.embedded;
        say(pg ? `${why}: stopping PostgreSQL pid ${pg.pid} at once (immediate shutdown; nothing committed is lost) and exiting` : `${why}: exiting now`);
        await daemon?.abort().catch((err) => say(`stopping PostgreSQL failed: ${String(err)}`));
        process.exit(code);
      };
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) return void forced(`second ${signal}`, 130);
        stopping = true;
        if (!daemon) return starting.abort();
        // The bound is kept by the shutdown itself; this only catches a bug in it.
        setTimeout(() => void forced(`shutdown passed its ${SHUTDOWN_BOUND_MS / 1000} s bound`, 1), SHUTDOWN_BOUND_MS + 2000).unref();
        daemon.close().then(
          () => process.exit(0),
          (err) => forced(`shutdown failed (${String(err)})`, 1),
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      // A bug that would end the process must not leave PostgreSQL behind without a word.
      const crash = (err: unknown) => {
        process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
        void forced('unexpected error', 1);
      };
      process.on('uncaughtException', crash);
      process.on('unhandledRejection', crash);
      try {
        daemon = await startDaemon({
          host: opts.host,
          port: opts.port,
          databaseUrl: opts.databaseUrl,
          listenDatabaseUrl: opts.listenDatabaseUrl,
          dataDir: opts.dataDir,
          logLevel: opts.logLevel,
          maxConnectionsPerIp: opts.maxConnectionsPerIp,
          maxSocketsPerIp: opts.maxSocketsPerIp,
          rateLimit: opts.rateLimit === 0 ? false : { max: opts.rateLimit, windowMs: Math.round(opts.rateLimitWindow * 1000) },
          signal: starting.signal,
        });
      } catch (err) {
        if (starting.signal.aborted) {
          say('stopped before it had started');
          process.exit(0);
        }
        if (err instanceof StartRefusal) {
          say(err.message);
          process.exit(1);
        }
        throw err;
      }
      await new Promise<void>(() => {}); // until a signal ends the process
    });
}

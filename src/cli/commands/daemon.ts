// `neighborbid daemon`: runs the daemon in the foreground until SIGINT/SIGTERM.
import { Command, InvalidArgumentError, Option } from 'commander';

function port(value: string): number {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

export function registerDaemon(program: Command): void {
  program
    .command('daemon')
    .description('run the bidding daemon (embedded PostgreSQL unless --database-url is given)')
    .addOption(new Option('--host <address>', 'address to bind').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to bind (0 picks a free one)').default(7700).argParser(port))
    .addOption(new Option('--database-url <url>', 'use this PostgreSQL instead of the embedded one').env('DATABASE_URL'))
    .addOption(new Option('--data-dir <dir>', 'data directory (default $XDG_DATA_HOME/neighborbid or ~/.local/share/neighborbid)').env('NEIGHBORBID_DATA_DIR'))
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info'),
    )
    .action(async (opts: { host: string; port: number; databaseUrl?: string; dataDir?: string; logLevel: string }) => {
      const { startDaemon } = await import('../../daemon/daemon.js');
      const daemon = await startDaemon({
        host: opts.host,
        port: opts.port,
        databaseUrl: opts.databaseUrl,
        dataDir: opts.dataDir,
        logLevel: opts.logLevel,
      });
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals) => {
          if (stopping) {
            process.stderr.write(`neighborbid: second ${signal}; exiting now\n`);
            process.exit(130);
          }
          stopping = true;
          daemon.close().then(resolve, (err) => {
            process.stderr.write(`neighborbid: shutdown failed: ${String(err)}\n`);
            process.exit(1);
          });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

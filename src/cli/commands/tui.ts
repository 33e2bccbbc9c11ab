// `neighborbid tui`: the live auction board. The Ink app loads only when it runs.
import { Command, Option } from 'commander';

const DEFAULT_URL = 'http://127.0.0.1:7700';

export function registerTui(program: Command): void {
  program
    .command('tui')
    .description('the live auction board: watch, bid and buy from the keyboard over one socket')
    .addOption(new Option('--url <url>', `daemon URL (default ${DEFAULT_URL})`).env('NEIGHBORBID_URL'))
    .addOption(new Option('--token <token>', 'user token: bid, buy and see your balance (without it, watch only)').env('NEIGHBORBID_TOKEN'))
    .action(async (opts: { url?: string; token?: string }, command: Command) => {
      // Global --url/--token (before the command word) count too.
      const all = { ...command.optsWithGlobals(), ...opts } as { url?: string; token?: string };
      (await import('../../tui/prepare.js')).prepareTerminalEnv();
      const { openTui } = await import('../../tui/open.js');
      await openTui({ url: all.url ?? DEFAULT_URL, token: all.token || undefined });
    });
}

// `neighborbid tui`: the live auction board. The Ink app loads only when it runs.
import type { Command } from 'commander';
import { examples } from '../help-text.js';

export function registerTui(program: Command): void {
  program
    .command('tui')
    .description('the live auction board: watch, bid and buy from the keyboard over one socket (--url, --token or login)')
    .addHelpText('after', examples(
      'neighborbid tui',
      'neighborbid tui --url http://auction.example:7700 --token "$(cat token.txt)"',
      'NO_COLOR=1 neighborbid tui',
    ))
    .action(async (_opts: unknown, command: Command) => {
      // The same identity as every other command: flags, environment, then the login file.
      const { contextOf } = await import('../context.js');
      const ctx = contextOf(command);
      const { url, token } = ctx.identity();
      (await import('../../tui/prepare.js')).prepareTerminalEnv();
      const [{ openTui }, { inboxPosition, saveInboxPosition }] = await Promise.all([import('../../tui/open.js'), import('../config.js')]);
      // "While you were away" starts where `neighborbid inbox` or the last board stopped, and moves it on.
      await openTui({
        url,
        token,
        inbox: {
          position: (userId) => inboxPosition(ctx.config(), url, userId),
          save: (userId, seq) => saveInboxPosition(ctx.configFile, url, userId, seq),
        },
      });
    });
}

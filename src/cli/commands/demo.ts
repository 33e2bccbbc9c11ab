// `neighborbid demo`: a daemon, twenty auctions and bidding neighbours, opened in the TUI.
import { Command, Option } from 'commander';
import { examples } from '../help-text.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('try it: a throwaway daemon with 20 auctions and simulated bidders, opened in the TUI as you')
    .addOption(new Option('--data-dir <dir>', 'keep the demo daemon here (kept afterwards) instead of a throwaway directory'))
    .addOption(new Option('--name <name>', 'your name on the board (default: $USER)'))
    .addHelpText('after', examples('neighborbid demo', 'neighborbid demo --name sam --data-dir ./demo-data', 'NO_COLOR=1 neighborbid demo'))
    .action(async (opts: { dataDir?: string; name?: string }) => {
      (await import('../../tui/prepare.js')).prepareTerminalEnv();
      const { runDemo } = await import('../../demo/demo.js');
      await runDemo({ dataDir: opts.dataDir, ...(opts.name ? { name: opts.name } : {}) });
    });
}

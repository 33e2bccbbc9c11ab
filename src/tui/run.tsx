// Runs the TUI full screen until the person quits, and leaves the terminal as
// it found it: the alternate screen is left and the cursor shown again on q,
// Ctrl-C, SIGTERM, SIGHUP and on a crash.
import { render } from 'ink';
import { App } from './components/app.js';
import type { BoardSource } from './data/board-source.js';
import type { BoardOptions } from './hooks/use-board.js';
import { colorWanted, makeTheme, ThemeContext } from './theme.js';

const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';

export interface RunOptions {
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  board?: BoardOptions;
}

/** Shows the board for a source until the person quits; resolves once the screen is restored. */
export async function runTui(source: BoardSource, options: RunOptions = {}): Promise<void> {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  const fullScreen = Boolean(stdout.isTTY);
  let restored = false;
  const restore = () => {
    if (restored || !fullScreen) return;
    restored = true;
    stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
  };
  // A closed terminal (SIGHUP, a killed tmux pane) fails every later write with EIO,
  // reported asynchronously; that must not crash the process before it has stopped
  // what it started, so the listener stays for the life of the process.
  stdout.on('error', () => {});
  if (fullScreen) stdout.write(ENTER_ALT_SCREEN);
  process.once('exit', restore);

  const instance = render(
    <ThemeContext.Provider value={makeTheme(colorWanted())}>
      <App source={source} {...(options.board ? { options: options.board } : {})} />
    </ThemeContext.Provider>,
    { stdout, stdin, exitOnCtrlC: true, patchConsole: true, incrementalRendering: false, maxFps: 120 },
  );
  const stop = () => instance.unmount();
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, stop);
  try {
    await instance.waitUntilExit();
  } finally {
    for (const s of signals) process.off(s, stop);
    instance.cleanup();
    restore();
    process.off('exit', restore);
  }
}

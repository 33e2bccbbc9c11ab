// Rendering the TUI in tests: the real App on ink-testing-library's fake
// terminal, sized like a real one, and a bounded wait for a frame.
import { render } from 'ink-testing-library';
import { App } from '../../src/tui/components/app.js';
import type { Auction, Me } from '../../src/protocol/types.js';
import type { BoardSource } from '../../src/tui/data/board-source.js';
import { makeTheme, ThemeContext } from '../../src/tui/theme.js';
import { FakeBoardSource, type FakeAuctionInit } from './fake-board-source.js';
import { pollUntil } from './poll.js';

export const KEY = { enter: '\r', escape: '\x1b', up: '\x1b[A', down: '\x1b[B', backspace: '\x7f' } as const;

/** Gives the fake terminal a size and tells the app it was resized. */
export function resize(stdout: NodeJS.EventEmitter, columns: number, rows: number): void {
  Object.defineProperty(stdout, 'columns', { value: columns, configurable: true });
  Object.defineProperty(stdout, 'rows', { value: rows, configurable: true });
  stdout.emit('resize');
}

export function renderApp(source: BoardSource, size = { columns: 100, rows: 24 }) {
  const r = render(
    <ThemeContext.Provider value={makeTheme(false)}>
      <App source={source} options={{ batchMs: 20, refreshMs: 60_000 }} />
    </ThemeContext.Provider>,
  );
  resize(r.stdout, size.columns, size.rows);
  const frame = () => r.lastFrame() ?? '';
  /** Waits (at most timeoutMs) for a frame the predicate accepts; fails with the last frame seen. */
  const waitFor = async (predicate: string | ((f: string) => boolean), timeoutMs = 5000): Promise<string> => {
    const ok = typeof predicate === 'string' ? (f: string) => f.includes(predicate) : predicate;
    return pollUntil(() => (ok(frame()) ? frame() : ''), {
      timeoutMs,
      intervalMs: 10,
      what: `a frame matching ${String(predicate)}`,
      detail: () => `last frame:\n${frame()}`,
    });
  };
  /** Types keys one at a time, letting the app handle each. */
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      r.stdin.write(k);
      await new Promise((res) => setTimeout(res, 15));
    }
  };
  return { ...r, frame, waitFor, press };
}

/** The board line that shows a title (the first line containing it). */
export function lineWith(frame: string, text: string): string {
  return frame.split('\n').find((l) => l.includes(text)) ?? '';
}

/** A fake source holding these auctions (and this user), the App on it, and the last title on screen. */
export async function showBoard<T extends FakeAuctionInit[]>(auctions: [...T], me?: Me | null) {
  const src = me === undefined ? new FakeBoardSource() : new FakeBoardSource(me);
  const added = auctions.map((a) => src.add(a)) as { [K in keyof T]: Auction };
  const app = renderApp(src);
  await app.waitFor(auctions.at(-1)!.title);
  return { src, app, auctions: added };
}

// "Is this me" is a flag from the user's id, never read from a label: a user
// whose name is "you" gets neither your marker, nor your colour, nor "You are leading".
import type { ReactNode } from 'react';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { BoardStore } from '../../../src/tui/state/board-store.js';
import { boardView, labels } from '../../../src/tui/state/board-view.js';
import { auction, bid, T0 } from '../../helpers/auction-data.js';

// Colour is how the screen tells you apart, so this file renders with it: set before ink (and its chalk) load.
vi.stubEnv('FORCE_COLOR', '1');
const { cleanup, render } = await import('ink-testing-library');
const { Board } = await import('../../../src/tui/components/board.js');
const { DetailPane } = await import('../../../src/tui/components/detail-pane.js');
const { makeTheme, ThemeContext } = await import('../../../src/tui/theme.js');

afterEach(() => cleanup());
afterAll(() => vi.unstubAllEnvs());

const GREEN = /\u001b\[32m([^\u001b]*)/g;
/** The text painted green (the theme's "ok": you) on a line. */
const green = (line: string) => [...line.matchAll(GREEN)].map((m) => m[1]!.trim()).filter(Boolean);
const plain = (text: string) => text.replace(/\u001b\[\d+m/g, '');
const lineWith = (frame: string, text: string) => frame.split('\n').find((l) => plain(l).includes(text)) ?? '';

/** Me (7) leading Lot 2, and a user named "you" (8) leading Lot 1, as a name book that lets the name through would show them. */
function board() {
  const store = new BoardStore({ name: (id) => (id === 8 ? 'you' : undefined) });
  store.setMe({ id: 7, name: 'ann', balance: 1000, held: 0, available: 1000 });
  store.upsert(auction(1), T0);
  store.upsert(auction(2), T0);
  store.apply(bid(1, 1, 8, 150), T0);
  store.apply(bid(2, 1, 7, 150), T0);
  return store;
}

function colour(node: ReactNode) {
  return render(<ThemeContext.Provider value={makeTheme(true)}>{node}</ThemeContext.Provider>);
}

describe('a user named "you" who is not the token\'s user', () => {
  it('is not drawn as you on the board: no * marker, not in your colour', () => {
    const store = board();
    const { lastFrame } = colour(<Board rows={boardView(store, T0).rows} selectedId={null} width={100} height={3} loaded filter="" />);
    const theirs = lineWith(lastFrame()!, 'Lot 1');
    const mine = lineWith(lastFrame()!, 'Lot 2');
    expect(plain(theirs)).toMatch(/^\s+Lot 1\s+150\s+you\s+1\s/);
    expect(green(theirs)).toEqual([]);
    expect(plain(mine)).toMatch(/^ \*\s+Lot 2\s+150\s+you\s+1\s/);
    expect(green(mine)).toEqual(['*', 'you']);
  });

  it('is not drawn as you in the detail pane: no "You are leading", their name and bids not in your colour', () => {
    const store = board();
    const pane = (id: number) =>
      colour(
        <DetailPane
          auction={store.auction(id)}
          bids={store.bids(id)}
          mine={store.mine(id)}
          who={labels(store)}
          isMe={(u) => store.isMe(u)}
          now={T0}
          width={60}
          height={12}
          placement="side"
        />,
      );
    const theirs = pane(1).lastFrame()!;
    expect(plain(theirs)).toContain('Price 150 · 1 bid · leader you');
    expect(plain(theirs)).toMatch(/150 you/);
    expect(plain(theirs)).not.toMatch(/You are leading|You were outbid/);
    expect(green(theirs)).toEqual([]);
    cleanup();
    const mine = pane(2).lastFrame()!;
    expect(plain(mine)).toContain('* You are leading');
    expect(green(mine)).toEqual(['you', '* You are leading', 'you']);
  });
});

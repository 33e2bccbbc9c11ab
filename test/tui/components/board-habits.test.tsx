// The keys k9s and lazygit users reach for: sort (s/S), the user's own
// auctions (M), every ended auction (e), half-page moves (Ctrl-D/U).
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { FakeBoardSource } from '../../helpers/fake-board-source.js';
import { KEY, lineWith, renderApp } from '../../helpers/ink.js';

afterEach(() => cleanup());

const CTRL_D = '\x04';
const CTRL_U = '\x15';

/** A board of `n` auctions, "Lot 1" ending first; the app at 100×`rows`, all rows on screen subscribed. */
async function manyLots(n: number, rows = 24, over: (i: number) => { buyNowPrice?: number; sellerId?: number } = () => ({})) {
  const src = new FakeBoardSource();
  const ids = Array.from({ length: n }, (_, i) => src.add({ title: `Lot ${i + 1}`, endsInSec: 600 + i * 60, ...over(i) }).id);
  const app = renderApp(src, { columns: 100, rows });
  await app.waitFor('Lot 1 ');
  return { src, ids, app };
}

const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
/** The titles on the board, top to bottom. */
const titles = (f: string) => [...f.matchAll(/Lot \d+/g)].map((m) => m[0]);

describe('sorting the board', () => {
  it('cycles the sort with s, reverses it with S, says which on the rule, and subscribes to the rows it brings on screen', async () => {
    const { src, ids, app } = await manyLots(20);
    await app.waitFor(() => src.subscribed.size === 15);
    expect(app.frame()).toContain('sort: ending soonest');
    expect(sorted(src.subscribed)).toEqual(ids.slice(0, 15));
    // Bids on Lot 20 and Lot 19 while they are off screen: unheard until they are subscribed.
    src.placeBid(ids[19]!, 7, 500);
    src.placeBid(ids[19]!, 8, 600);
    src.placeBid(ids[18]!, 7, 300);
    await app.press('s');
    let f = await app.waitFor('sort: highest price');
    // Lots without a bid tie on price and fall back to soonest ending.
    expect(titles(f).slice(0, 4)).toEqual(['Lot 1', 'Lot 2', 'Lot 3', 'Lot 4']);
    await app.press('s', 's');
    f = await app.waitFor('sort: newest');
    // Created in the same instant, the later id is the newer one.
    expect(titles(f).slice(0, 3)).toEqual(['Lot 20', 'Lot 19', 'Lot 18']);
    await app.waitFor(() => src.subscribed.has(ids[19]!) && !src.subscribed.has(ids[0]!));
    expect(sorted(src.subscribed)).toEqual(ids.slice(5));
    await app.press('S');
    f = await app.waitFor('sort: oldest');
    expect(titles(f).slice(0, 3)).toEqual(['Lot 1', 'Lot 2', 'Lot 3']);
    await app.waitFor(() => src.subscribed.has(ids[0]!));
    expect(sorted(src.subscribed)).toEqual(ids.slice(0, 15));
    // Subscribing while the newest were on screen brought their state (the snapshot): now they sort by price.
    await app.press('s', 's');
    f = await app.waitFor('sort: highest price');
    expect(titles(f).slice(0, 3)).toEqual(['Lot 20', 'Lot 19', 'Lot 1']);
  });

  it('sorts by the prices and bid counts the events bring, either way', async () => {
    const { src, ids, app } = await manyLots(4);
    await app.waitFor(() => ids.every((id) => src.subscribed.has(id)));
    src.placeBid(ids[2]!, 7, 900);
    src.placeBid(ids[1]!, 7, 300);
    src.placeBid(ids[1]!, 8, 400);
    await app.waitFor((f) => /400\s+#8\s+2\s/.test(lineWith(f, 'Lot 2')));
    await app.press('s');
    let f = await app.waitFor('sort: highest price');
    expect(titles(f)).toEqual(['Lot 3', 'Lot 2', 'Lot 1', 'Lot 4']);
    await app.press('S');
    f = await app.waitFor('sort: lowest price');
    expect(titles(f)).toEqual(['Lot 1', 'Lot 4', 'Lot 2', 'Lot 3']);
    await app.press('s');
    f = await app.waitFor('sort: most bids');
    expect(titles(f)).toEqual(['Lot 2', 'Lot 3', 'Lot 1', 'Lot 4']);
  });
});

describe('your own auctions (M)', () => {
  it('cycles all → yours → leading → outbid → selling, subscribing only to what it shows', async () => {
    const src = new FakeBoardSource(); // the user is ann, id 1
    const led = src.add({ title: 'Brass lamp', endsInSec: 300 }).id;
    const lost = src.add({ title: 'Oak table', endsInSec: 400 }).id;
    const sold = src.add({ title: 'Blue vase', endsInSec: 500, sellerId: 1 }).id;
    const other = src.add({ title: 'Red kettle', endsInSec: 600 }).id;
    const app = renderApp(src);
    await app.waitFor(() => [led, lost, sold, other].every((id) => src.subscribed.has(id)));
    src.placeBid(led, 1, 150);
    src.placeBid(lost, 1, 150);
    src.placeBid(lost, 7, 200);
    await app.waitFor((f) => lineWith(f, 'Brass lamp').includes('*') && lineWith(f, 'Oak table').includes('!'));

    const shows = async (label: string, expected: string[]) => {
      await app.press('M');
      const f = await app.waitFor(label ? `showing: ${label}` : (fr) => !fr.includes('showing:'));
      // Board rows only (the title is after the 4-column mark), not the outbid message under them.
      const rows = f.split('\n').map((l) => /^.{4}(\S+ \S+)/u.exec(l)?.[1]);
      expect(['Brass lamp', 'Oak table', 'Blue vase', 'Red kettle'].filter((t) => rows.includes(t))).toEqual(expected);
      return f;
    };
    await shows('yours', ['Brass lamp', 'Oak table', 'Blue vase']);
    await app.waitFor(() => !src.subscribed.has(other));
    expect(sorted(src.subscribed)).toEqual([led, lost, sold]);
    await shows('leading', ['Brass lamp']);
    await app.waitFor(() => src.subscribed.size === 1);
    expect(sorted(src.subscribed)).toEqual([led]);
    await shows('outbid', ['Oak table']);
    const f = await shows('selling', ['Blue vase']);
    expect(f).toContain('sort: ending soonest · showing: selling');
    await shows('', ['Brass lamp', 'Oak table', 'Blue vase', 'Red kettle']);
    await app.waitFor(() => src.subscribed.size === 4);
  });

  it('says so when none of yours is open, and combines with the title filter', async () => {
    const src = new FakeBoardSource();
    src.add({ title: 'Brass lamp' });
    const lamp2 = src.add({ title: 'Table lamp', sellerId: 1 }).id;
    const app = renderApp(src);
    await app.waitFor('Table lamp');
    await app.press('M', 'M');
    await app.waitFor('No open auction you lead (M shows more).');
    await app.press('M', 'M');
    let f = await app.waitFor('showing: selling');
    expect(f).toContain('Table lamp');
    expect(f).not.toContain('Brass lamp');
    await app.press('/', 'o', 'a', 'k', KEY.enter);
    f = await app.waitFor('No open auction matches “oak” among those you sell.');
    expect(f).toContain('sort: ending soonest · showing: selling · filter “oak”');
    expect(src.subscribed.has(lamp2)).toBe(false);
  });
});

describe('half-page moves', () => {
  it('moves half a page with Ctrl-D and back with Ctrl-U, which never buys', async () => {
    const { app } = await manyLots(20, 24, () => ({ buyNowPrice: 5000 }));
    expect(app.frame()).toMatch(/1\/20/);
    await app.press(CTRL_D);
    // 15 rows on screen at 100×24: half is 7.
    await app.waitFor('8/20');
    await app.press(CTRL_D, CTRL_D);
    let f = await app.waitFor('20/20');
    expect(lineWith(f, 'Lot 20')).toMatch(/^›/);
    await app.press(CTRL_U);
    f = await app.waitFor('13/20');
    expect(lineWith(f, 'Lot 13')).toMatch(/^›/);
    expect(f).not.toContain('Buy “');
    await app.press('g');
    await app.waitFor('1/20');
  });
});

describe('the ended list (e)', () => {
  it('lists every auction that ended, newest first, scrolls, and closes with Esc or q without quitting', async () => {
    const { src, ids, app } = await manyLots(10, 16);
    // 7 rows on screen at 100×16.
    await app.waitFor(() => src.subscribed.size === 7);
    src.placeBid(ids[1]!, 7, 250);
    for (const id of ids.slice(0, 7)) src.closeAuction(id);
    await app.waitFor((f) => lineWith(f, 'Lot 7').includes('UNSOLD'));
    await app.press('e');
    let f = await app.waitFor('Ended while the board ran: 7');
    // 16 rows leave the list 6 lines: Lot 1, the oldest, is below.
    expect(titles(f)).toEqual(['Lot 7', 'Lot 6', 'Lot 5', 'Lot 4', 'Lot 3', 'Lot 2']);
    expect(lineWith(f, 'Lot 2')).toMatch(/^\d\d:\d\d:\d\d   Lot 2\s+WON by #7 at 250\s+1 bid$/);
    expect(lineWith(f, 'Lot 7')).toMatch(/Lot 7\s+UNSOLD\s+0 bids$/);
    expect(f).toContain('↓ 1 more');
    await app.press('j');
    f = await app.waitFor('↑ 1 more');
    expect(titles(f)).toEqual(['Lot 6', 'Lot 5', 'Lot 4', 'Lot 3', 'Lot 2', 'Lot 1']);
    await app.press('g');
    await app.waitFor('↓ 1 more');
    await app.press(CTRL_D);
    await app.waitFor('↑ 1 more');
    await app.press('q');
    f = await app.waitFor((fr) => !fr.includes('Ended while'));
    expect(lineWith(f, 'Lot 2')).toMatch(/Lot 2\s+WON by #7 at 250$/);
    await app.press('e');
    await app.waitFor('Ended while the board ran: 7');
    await app.press(KEY.escape);
    f = await app.waitFor((fr) => !fr.includes('Ended while'));
    expect(f).toContain('sort: ending soonest');
  });

  it('says when nothing has ended', async () => {
    const { app } = await manyLots(2);
    await app.press('e');
    await app.waitFor('Nothing has ended yet.');
  });
});

describe('help and hints', () => {
  it('names the new keys in the help and the key hints, at 80 columns', async () => {
    const src = new FakeBoardSource();
    src.add({ title: 'Brass lamp' });
    const app = renderApp(src, { columns: 80, rows: 24 });
    let f = await app.waitFor('Brass lamp');
    expect(f).toContain('s sort  M mine  e ended  ? help  q quit');
    await app.press('?');
    f = await app.waitFor('Marks');
    for (const k of ['Ctrl-D/U', 's  S', 'M ', 'e ', 'dimmed']) expect(f).toContain(k);
    for (const l of f.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
  });
});

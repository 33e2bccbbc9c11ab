import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { FakeBoardSource } from '../../helpers/fake-board-source.js';
import { KEY, lineWith, renderApp, resize, showBoard } from '../../helpers/ink.js';
import { EndedStrip } from '../../../src/tui/components/ended-strip.js';
import { displayWidth } from '../../../src/format/text.js';
import type { RowView } from '../../../src/tui/state/board-view.js';

afterEach(() => cleanup());

describe('board', () => {
  it('lists open auctions soonest ending first with price, leader, bids and countdown', async () => {
    const { src, app } = await showBoard([{ title: 'Oak table', endsInSec: 600 }, { title: 'Brass lamp', endsInSec: 300, startPrice: 1000 }, { title: 'Blue vase', endsInSec: 3700 }]);
    const f = app.frame();
    const order = ['Brass lamp', 'Oak table', 'Blue vase'].map((t) => f.indexOf(t));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(lineWith(f, 'Brass lamp')).toMatch(/Brass lamp\s+—\s+—\s+0\s+[45]:\d\d/);
    expect(lineWith(f, 'Blue vase')).toMatch(/1:0[01]:\d\d/);
  });

  it('shows a bid from the event stream on its row, with the new price, leader and count', async () => {
    const { src, app, auctions: [lamp] } = await showBoard([{ title: 'Brass lamp', startPrice: 1000 }]);
    src.names.set(8, 'bo');
    await app.waitFor(() => src.subscribed.has(lamp.id));
    src.placeBid(lamp.id, 7, 1000);
    src.placeBid(lamp.id, 8, 1250);
    const f = await app.waitFor((fr) => /1,250\s+bo\s+2\s/.test(lineWith(fr, 'Brass lamp')));
    expect(lineWith(f, 'Brass lamp')).toMatch(/1,250\s+bo\s+2\s/);
  });

  it('shows how many watch each auction under Watch, as presence says it', async () => {
    const { src, app, auctions: [lamp, vase] } = await showBoard([{ title: 'Brass lamp' }, { title: 'Blue vase' }]);
    await app.waitFor(() => src.subscribed.has(lamp!.id) && src.subscribed.has(vase!.id));
    expect(app.frame()).toMatch(/Bids\s+Watch\s+Ends in/);
    src.emitPresence(lamp!.id, 12);
    src.emitPresence(vase!.id, 3);
    const f = await app.waitFor((fr) => /\s12\s+\d+:\d\d/.test(lineWith(fr, 'Brass lamp')));
    expect(lineWith(f, 'Brass lamp')).toMatch(/—\s+0\s+12\s+\d+:\d\d/);
    expect(lineWith(f, 'Blue vase')).toMatch(/—\s+0\s+3\s+\d+:\d\d/);
    src.emitPresence(lamp!.id, 11);
    expect(lineWith(await app.waitFor((fr) => /\s11\s/.test(lineWith(fr, 'Brass lamp'))), 'Brass lamp')).toMatch(/—\s+0\s+11\s+\d+:\d\d/);
  });

  it('shows leaders as #id until their names arrive, then by name, with one lookup for all the new ones', async () => {
    const { src, app, auctions } = await showBoard([{ title: 'Brass lamp' }, { title: 'Oak table' }, { title: 'Blue vase' }]);
    [[7, 'ada'], [8, 'bo'], [9, 'cyd']].forEach(([id, name]) => src.names.set(id as number, name as string));
    let answer!: () => void;
    src.namesGate = new Promise((r) => (answer = r));
    await app.waitFor(() => auctions.every((a) => src.subscribed.has(a.id)));
    auctions.forEach((a, i) => src.placeBid(a.id, 7 + i, 150));
    // The daemon has not answered yet: the ids stand in.
    let f = await app.waitFor((fr) => ['#7', '#8', '#9'].every((id) => fr.includes(id)));
    expect(lineWith(f, 'Brass lamp')).toMatch(/150\s+#7\s+1\s/);
    // The lookup goes out on a timer after the turn's events (name-cache.ts), so the ids may be drawn first.
    await app.waitFor(() => src.nameRequests.length > 0);
    expect(src.nameRequests.map((ids) => [...ids].sort())).toEqual([[7, 8, 9]]);
    answer();
    f = await app.waitFor((fr) => ['ada', 'bo', 'cyd'].every((n) => fr.includes(n)));
    expect(lineWith(f, 'Brass lamp')).toMatch(/150\s+ada\s+1\s/);
    expect(lineWith(f, 'Oak table')).toMatch(/150\s+bo\s+1\s/);
    expect(lineWith(f, 'Blue vase')).toMatch(/150\s+cyd\s+1\s/);
    expect(f).not.toMatch(/#[789]\b/);
    // A name is asked for once: ada leading elsewhere needs no request.
    src.placeBid(auctions[1]!.id, 7, 200);
    f = await app.waitFor((fr) => /200\s+ada\s+2\s/.test(lineWith(fr, 'Oak table')));
    expect(src.nameRequests).toHaveLength(1);
  });

  it('cuts a long name to the Leader column on an 80-column board, and shows a user named "you" by id', async () => {
    const src = new FakeBoardSource();
    const lamp = src.add({ title: 'Brass lamp' });
    const vase = src.add({ title: 'Blue vase' });
    src.names.set(7, 'Bartholomew Featherstonehaugh');
    src.names.set(8, 'you');
    const app = renderApp(src, { columns: 80, rows: 24 });
    await app.waitFor(() => src.subscribed.has(lamp.id) && src.subscribed.has(vase.id));
    src.placeBid(lamp.id, 7, 150);
    src.placeBid(vase.id, 8, 150);
    const f = await app.waitFor('Barthol…');
    // Selected (an inverse bar padded to the width) and not.
    expect(lineWith(f, 'Brass lamp')).toMatch(/^›\s+Brass lamp\s+150  Barthol…\s+1\s+\d+:\d\d$/);
    expect(lineWith(f, 'Blue vase')).toMatch(/150  #8\s+1\s+\d+:\d\d$/);
    expect(lineWith(f, 'Blue vase')).not.toContain('you');
    for (const l of f.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
  });

  it('lines up titles and names of CJK characters and emoji, on the selected row and the others', async () => {
    const src = new FakeBoardSource();
    const titles = ['日本の茶碗と急須', '🎸 エレキギター 👨‍👩‍👧', '古い柱時計と置物のセット、とても美しい骨董品です', 'Oak table'];
    const ids = titles.map((title, i) => src.add({ title, endsInSec: 600 + i * 60 }).id);
    src.names.set(7, '山田太郎');
    src.names.set(8, '🦊きつねの好きな人');
    const app = renderApp(src, { columns: 80, rows: 24 });
    await app.waitFor(() => ids.every((id) => src.subscribed.has(id)));
    src.placeBid(ids[0]!, 7, 150);
    src.placeBid(ids[1]!, 8, 1_500);
    src.placeBid(ids[3]!, 7, 12_000);
    await app.waitFor((f) => f.includes('山田太郎') && f.includes('🦊きつ…'));
    /** The display column where `text` ends on the line (0 when it is not there). */
    const endOf = (line: string, text: string) => (line.includes(text) ? displayWidth(line.slice(0, line.indexOf(text) + text.length)) : 0);
    for (let selected = 0; selected < titles.length; selected++) {
      const f = await app.waitFor((fr) => lineWith(fr, titles[selected]!.slice(0, 3)).startsWith('›'));
      const rows = titles.map((t) => lineWith(f, t.slice(0, 3)));
      const heading = lineWith(f, 'Ends in');
      // Price right-aligned under "Price", leader under "Leader", countdown under "Ends in", whatever the title.
      const prices = ['150', '1,500', '—', '12,000'];
      expect(rows.map((r, i) => endOf(r, prices[i]!))).toEqual(rows.map(() => endOf(heading, 'Price')));
      const leaderAt = displayWidth(heading.slice(0, heading.indexOf('Leader')));
      // No bid on the third: its leader is the second dash, after the price's.
      const leaders = [rows[0]!.indexOf('山田太郎'), rows[1]!.indexOf('🦊きつ…'), rows[2]!.lastIndexOf('—'), rows[3]!.indexOf('山田太郎')];
      expect(rows.map((r, i) => displayWidth(r.slice(0, leaders[i])))).toEqual(rows.map(() => leaderAt));
      // The countdowns end one column before "Ends in": that column holds the last minute's "!".
      expect(rows.map((r) => displayWidth(r))).toEqual(rows.map(() => displayWidth(heading) - 1));
      // Short titles whole, even on the selected row's padded bar; the long one cut to its column with an ellipsis.
      for (const i of [0, 1, 3]) expect(rows[i]!.replace('🦊きつ…', '')).toMatch(new RegExp(`^.   ${titles[i]} +[^…]+$`));
      expect(rows[2]).toMatch(/骨?董?…\s/);
      for (const l of f.split('\n')) expect(displayWidth(l)).toBeLessThanOrEqual(80);
      await app.press(KEY.down);
    }
  });

  it('filters by a title typed in CJK characters', async () => {
    const { app } = await showBoard([{ title: '日本の茶碗' }, { title: '古い柱時計' }, { title: 'Oak table' }]);
    await app.press('/', '茶碗', KEY.enter);
    const f = await app.waitFor((fr) => !fr.includes('Oak table'));
    expect(f).toContain('日本の茶碗');
    expect(f).not.toContain('古い柱時計');
    expect(f).toContain('filter “茶碗”');
  });

  it('subscribes to exactly the rows on screen, and follows scrolling', async () => {
    const src = new FakeBoardSource();
    const ids = Array.from({ length: 30 }, (_, i) => src.add({ title: `Lot ${String(i + 1).padStart(2, '0')}`, endsInSec: 600 + i }).id);
    const app = renderApp(src, { columns: 100, rows: 24 });
    await app.waitFor('Lot 01');
    // 24 rows leave 15 board rows (see computeLayout).
    await app.waitFor(() => src.subscribed.size === 15);
    expect([...src.subscribed].sort((a, b) => a - b)).toEqual(ids.slice(0, 15));
    await app.press('G');
    await app.waitFor('Lot 30');
    await app.waitFor(() => src.subscribed.has(ids[29]!));
    expect([...src.subscribed].sort((a, b) => a - b)).toEqual(ids.slice(15));
    expect(app.frame()).toContain('30/30');
    expect(app.frame()).toContain('↑ 15 more');
  });

  it('turns the countdown into a warning in the last minute', async () => {
    const { src, app } = await showBoard([{ title: 'Soon', endsInSec: 30 }, { title: 'Later', endsInSec: 300 }]);
    const f = app.frame();
    expect(lineWith(f, 'Soon')).toMatch(/0:[23]\d!/);
    expect(lineWith(f, 'Later')).toMatch(/[45]:\d\d$/);
  });

  it('keeps a closed auction on the board, dimmed, with its final state', async () => {
    const src = new FakeBoardSource();
    const lamp = src.add({ title: 'Brass lamp' });
    src.names.set(7, 'ada');
    const app = renderApp(src);
    await app.waitFor(() => src.subscribed.has(lamp.id));
    src.placeBid(lamp.id, 7, 150);
    src.closeAuction(lamp.id);
    const f = await app.waitFor('WON by ada at 150');
    expect(lineWith(f, 'Brass lamp')).toContain('WON by ada at 150');
    // It no longer needs a subscription once it has ended.
    await app.waitFor(() => !src.subscribed.has(lamp.id));
  });

  it('shows the connection state and the balance live in the header', async () => {
    const src = new FakeBoardSource();
    src.add({ title: 'Brass lamp' });
    const app = renderApp(src);
    let f = await app.waitFor('ann');
    expect(f).toContain('● live');
    expect(f).toMatch(/balance 100,000\s+held 0\s+available 100,000/);
    src.setConnection({ kind: 'reconnecting', attempt: 3 });
    await app.waitFor('reconnecting (attempt 3)');
    src.emitPrivate({ type: 'balance', userId: 1, balance: 100_000, held: 2_500, available: 97_500, at: new Date().toISOString() });
    f = await app.waitFor('held 2,500');
    expect(f).toMatch(/available 97,500/);
  });

  it('fits an 80×24 terminal and redraws when resized', async () => {
    const src = new FakeBoardSource();
    for (let i = 0; i < 25; i++) src.add({ title: `A rather long auction title number ${i + 1} that will not fit`, endsInSec: 600 + i });
    const app = renderApp(src, { columns: 120, rows: 40 });
    await app.waitFor('number 25');
    resize(app.stdout, 80, 24);
    await app.press(KEY.enter);
    const f = await app.waitFor((fr) => !fr.includes('number 25') && fr.includes('Recent bids'));
    const lines = f.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
  });

  it('filters by title with /', async () => {
    const src = new FakeBoardSource();
    src.add({ title: 'Brass lamp' });
    src.add({ title: 'Oak table' });
    src.add({ title: 'Desk lamp' });
    const app = renderApp(src);
    await app.waitFor('Oak table');
    await app.press('/', 'l', 'a', 'm', 'p', KEY.enter);
    const f = await app.waitFor((fr) => !fr.includes('Oak table'));
    expect(f).toContain('Brass lamp');
    expect(f).toContain('Desk lamp');
    expect(f).toContain('filter “lamp”');
    await app.press('/', KEY.escape);
    await app.waitFor('Oak table');
  });

  it('opens help with ? and closes it with any key', async () => {
    const { src, app } = await showBoard([{ title: 'Brass lamp' }]);
    await app.press('?');
    const f = await app.waitFor('Keys');
    expect(f).toContain('you are leading this auction');
    expect(f).not.toContain('Brass lamp');
    await app.press('x');
    await app.waitFor('Brass lamp');
  });

  it('takes several letters in one read as several keys', async () => {
    const { src, app } = await showBoard([{ title: 'Brass lamp', endsInSec: 100 }, { title: 'Oak table', endsInSec: 200 }, { title: 'Blue vase', endsInSec: 300 }]);
    await app.press('?');
    await app.waitFor('Keys');
    // One write: close the help, then move down twice.
    app.stdin.write('xjj');
    await app.waitFor((f) => f.includes('3/3') && lineWith(f, 'Blue vase').startsWith('›'));
  });
});

describe('ended strip', () => {
  it('lists ended auctions with their final state', () => {
    const row = (id: number, title: string, status: RowView['status'], price: number | null, leader: string, leaderIsMe = false): RowView => ({
      id,
      title,
      status,
      price,
      leader,
      leaderIsMe,
      bidCount: 1,
      watching: null,
      endsAt: new Date().toISOString(),
      countdown: '0:00',
      warning: false,
      highlight: false,
      ended: true,
      mine: null,
      byMax: false,
    });
    const { lastFrame } = render(
      <EndedStrip rows={[row(1, 'Lamp', 'sold', 5000, 'you', true), row(2, 'Vase', 'closed', 1200, 'ada'), row(3, 'Rug', 'unsold', null, '—')]} width={100} />,
    );
    expect(lastFrame()).toBe('Ended: Lamp sold 5,000 to you · Vase won by ada at 1,200 · Rug unsold');
  });
});

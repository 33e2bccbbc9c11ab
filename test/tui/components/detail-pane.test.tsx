import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { FakeBoardSource } from '../../helpers/fake-board-source.js';
import { KEY, renderApp, showBoard } from '../../helpers/ink.js';

afterEach(() => cleanup());

/** The part of the frame below the board: the detail pane and the status line. */
const detailOf = (frame: string) => frame.slice(frame.indexOf('Recent bids') - 200);

describe('detail pane', () => {
  it('shows the selected auction: buy-now price, soft close, leader and its recent bids', async () => {
    const src = new FakeBoardSource();
    src.add({ title: 'Oak table', endsInSec: 900 });
    const lamp = src.add({ title: 'Brass lamp', endsInSec: 300, startPrice: 1000, buyNowPrice: 5000, softCloseSec: 30 });
    src.names.set(7, 'ada');
    src.names.set(8, 'bo');
    src.placeBid(lamp.id, 7, 1000);
    src.placeBid(lamp.id, 8, 1100);
    const app = renderApp(src);
    await app.waitFor('Brass lamp');
    await app.press(KEY.enter);
    const f = await app.waitFor((fr) => /1,000 ada/.test(fr) && /leader bo/.test(fr));
    const d = detailOf(f);
    expect(d).toContain('Brass lamp #2');
    expect(d).toMatch(/Price 1,100 · 2 bids · leader bo/);
    expect(d).toContain('Next bid ≥ 1,110 · Buy now 5,000');
    expect(d).toMatch(/Soft close 30s · ends \d\d:\d\d:\d\d \(in [45]:\d\d\)/);
    expect(d).toMatch(/1,100 bo[\s\S]*1,000 ada/);
  });

  it('says how many watch the selected auction', async () => {
    const { src, app, auctions: [lamp] } = await showBoard([{ title: 'Brass lamp', startPrice: 1000 }]);
    await app.press(KEY.enter);
    await app.waitFor('none yet');
    src.emitPresence(lamp!.id, 4);
    expect(detailOf(await app.waitFor('4 watching'))).toContain(`Brass lamp #${lamp!.id} · 4 watching`);
    src.emitPresence(lamp!.id, 1);
    expect(detailOf(await app.waitFor('1 watching'))).toContain(`Brass lamp #${lamp!.id} · 1 watching`);
  });

  it('adds bids as they arrive, newest first, counting them as 1 bid, 2 bids', async () => {
    const { src, app, auctions: [lamp] } = await showBoard([{ title: 'Brass lamp', startPrice: 1000 }]);
    await app.press(KEY.enter);
    await app.waitFor('none yet');
    src.names.set(7, 'ada');
    src.names.set(9, 'Bartholomew Featherstonehaugh');
    src.placeBid(lamp.id, 7, 1000);
    expect(detailOf(await app.waitFor('1,000 ada'))).toMatch(/Price 1,000 · 1 bid · leader ada/);
    src.placeBid(lamp.id, 9, 1300);
    // A long name is cut to fit the pane, not the line.
    const f = await app.waitFor('1,300 Bartholomew Feather…');
    expect(detailOf(f)).toMatch(/1,300 Bartholomew Feather…[\s\S]*1,000 ada/);
    expect(detailOf(f)).toContain('· 2 bids · leader Bartholomew Feather…');
  });

  it('marks "you are leading" after your bid and "outbid" when someone passes you', async () => {
    const { src, app, auctions: [lamp] } = await showBoard([{ title: 'Brass lamp', startPrice: 1000 }]);
    await app.press(KEY.enter, 'b');
    await app.waitFor('Bid on “Brass lamp”');
    await app.press(KEY.enter);
    let f = await app.waitFor('You are leading');
    expect(detailOf(f)).toContain('leader you');
    src.names.set(8, 'bo');
    src.placeBid(lamp.id, 8, 1200);
    f = await app.waitFor((fr) => fr.includes('You were outbid') && fr.includes('leader bo'));
    expect(f).toContain('Outbid on “Brass lamp”: now 1,200.');
    expect(detailOf(f)).toContain('leader bo');
  });

  it('closes with Esc', async () => {
    const { src, app } = await showBoard([{ title: 'Brass lamp' }]);
    await app.press(KEY.enter);
    await app.waitFor('Recent bids');
    await app.press(KEY.escape);
    await app.waitFor((f) => !f.includes('Recent bids'));
  });
});

// The maximum bid in the TUI: the m key, the board's *+ and the detail pane's
// "your max · leading", reserve and buy-now lines, against the fake source.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { FakeBoardSource } from '../../helpers/fake-board-source.js';
import { KEY, lineWith, renderApp, showBoard } from '../../helpers/ink.js';

afterEach(() => cleanup());

describe('maximum bid', () => {
  it('opens with m at the minimum next bid; Enter sends a maximum that leads at the lowest price', async () => {
    const { src, app, auctions: [lamp] } = await showBoard([{ title: 'Brass lamp', startPrice: 1000, minIncrement: 50 }]);
    await app.press('m');
    expect(await app.waitFor('Max bid on “Brass lamp”')).toMatch(/Max bid on “Brass lamp” \(min 1,000\): 1,000/);
    await app.press('\x15', '5', ',', '0', '0', '0', KEY.enter);
    await app.waitFor('Maximum 5,000 on “Brass lamp” placed: you are leading at 1,000.');
    expect(src.auctions.get(lamp.id)).toMatchObject({ currentPrice: 1000, leaderId: 1 });
    expect(src.maxima.get(lamp.id)).toEqual({ bidderId: 1, max: 5000 });
    // The board marks it: leading by a maximum that can still answer.
    expect(lineWith(app.frame(), 'Brass lamp')).toMatch(/\*\+\s+Brass lamp\s+1,000\s+you\s+1/);

    await app.press(KEY.enter);
    const detail = await app.waitFor('your max 5,000 · leading');
    expect(detail).toContain('* your max 5,000 · leading');
  });

  it('keeps the prompt\'s minimum live while others bid, and leaves the typed amount alone', async () => {
    const { src, app, auctions: [lamp] } = await showBoard([{ title: 'Brass lamp', startPrice: 1000, minIncrement: 50 }]);
    await app.press('m');
    await app.waitFor('(min 1,000): 1,000');
    await app.press('\x15', '3', ',', '0', '0', '0');
    await app.waitFor('(min 1,000): 3,000');
    src.placeBid(lamp.id, 7, 1200);
    expect(await app.waitFor('(min 1,250)')).toMatch(/Max bid on “Brass lamp” \(min 1,250\): 3,000/);
  });

  it('answers a bid by itself, then says outbid once the maximum is used up', async () => {
    const { src, app, auctions: [lamp] } = await showBoard([{ title: 'Brass lamp', startPrice: 1000, minIncrement: 50 }]);
    await app.press('m', '\x15', '2', '0', '0', '0', KEY.enter);
    await app.waitFor('placed: you are leading');
    await app.press(KEY.enter);
    await app.waitFor('your max 2,000 · leading');

    src.placeBid(lamp.id, 7, 1500);
    // Bob's 1,500 is answered at 1,550 by the maximum, marked (auto) in the recent bids.
    await app.waitFor((f) => /1,550 you \(auto\)/.test(f) && /1,500 #7/.test(f));
    expect(lineWith(app.frame(), 'Brass lamp')).toMatch(/\*\+\s+Brass lamp\s+1,550\s+you\s+3/);
    expect(app.frame()).toContain('your max 2,000 · leading');

    src.placeBid(lamp.id, 7, 2500);
    await app.waitFor('! You were outbid');
    expect(lineWith(app.frame(), 'Brass lamp')).toMatch(/!\s+Brass lamp\s+2,500\s+#7\s+4/);
    expect(app.frame()).not.toContain('your max');
  });

  it('says when a higher maximum answered the new one, and shows the error sentence of a refused one', async () => {
    const src = new FakeBoardSource();
    const lamp = src.add({ title: 'Brass lamp', startPrice: 1000, minIncrement: 50 });
    src.placeBid(lamp.id, 7, 1000);
    src.maxima.set(lamp.id, { bidderId: 7, max: 9000 });
    const app = renderApp(src);
    await app.waitFor('Brass lamp');
    await app.press('m', KEY.enter);
    await app.waitFor('Maximum 1,050 on “Brass lamp” placed, but a higher maximum answered: now 1,100.');
    await app.press('m', '\x15', '5', KEY.enter);
    await app.waitFor('✗ The bid is below the minimum next bid of 1,150.');
    expect(app.frame()).toContain('Max bid on “Brass lamp”');
  });

  it('reads the maxima you lead by when it opens, for the board mark', async () => {
    const src = new FakeBoardSource();
    const lamp = src.add({ title: 'Brass lamp', startPrice: 1000 });
    const rug = src.add({ title: 'Old rug', startPrice: 1000 });
    src.placeBid(lamp.id, 1, 1000);
    src.placeBid(rug.id, 1, 1000);
    const mine = { title: '', status: 'open' as const, currentPrice: 1000, minNextBid: 1010, reserveMet: true, endsAt: lamp.endsAt, leading: true };
    src.myBidList = [{ ...mine, auctionId: lamp.id, title: 'Brass lamp', yourMax: 4000 }, { ...mine, auctionId: rug.id, title: 'Old rug', yourMax: 1000 }];
    const app = renderApp(src);
    await app.waitFor((f) => /\*\+\s+Brass lamp/.test(f));
    // A plain bid that leads is its own maximum, with nothing left to answer: no +.
    expect(lineWith(app.frame(), 'Old rug')).toMatch(/\*\s+Old rug/);
    expect(lineWith(app.frame(), 'Old rug')).not.toContain('+');
  });
});

describe('detail pane: reserve and buy now', () => {
  it('says reserve not met, then met, and buy now gone after the first bid under first-bid', async () => {
    const src = new FakeBoardSource();
    const bike = src.add({ title: 'Bike', startPrice: 1000, buyNowPrice: 9000 });
    Object.assign(src.auctions.get(bike.id)!, { hasReserve: true, reserveMet: false, buyNowUntil: 'firstBid' });
    const app = renderApp(src);
    await app.waitFor('Bike');
    await app.press(KEY.enter);
    const before = await app.waitFor('reserve not met');
    expect(before).toMatch(/Next bid ≥ 1,000 · Buy now 9,000/);

    Object.assign(src.auctions.get(bike.id)!, { buyNowAvailable: false });
    src.placeBid(bike.id, 7, 1000);
    // The fake's bid event says the reserve is met; first-bid takes buy now away.
    await app.waitFor((f) => f.includes('reserve met') && !f.includes('reserve not met'));
    await app.waitFor('buy now 9,000 gone');
    await app.press(KEY.escape, 'u');
    await app.waitFor('✗ Buy now was offered only until the first bid; this auction has bids.');
  });

  it('lists m and the *+ mark in the help screen and the key hints', async () => {
    const { app } = await showBoard([{ title: 'Brass lamp' }]);
    expect(app.frame()).toContain('b bid  m max  u buy');
    await app.press('?');
    const help = await app.waitFor('Marks');
    expect(help).toMatch(/m +maximum bid: the most you would pay/);
    expect(help).toMatch(/\*  \*\+  ! +you are leading this auction · by your maximum · you were outbid/);
  });
});

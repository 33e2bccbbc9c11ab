import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { FakeBoardSource } from '../../helpers/fake-board-source.js';
import { KEY, lineWith, renderApp, showBoard } from '../../helpers/ink.js';

afterEach(() => cleanup());

describe('bid input', () => {
  it('opens with b, prefilled with the minimum next bid, and Enter places that bid', async () => {
    const src = new FakeBoardSource();
    const lamp = src.add({ title: 'Brass lamp', startPrice: 1000, minIncrement: 50 });
    src.placeBid(lamp.id, 7, 1200);
    const app = renderApp(src);
    await app.waitFor('Brass lamp');
    await app.press('b');
    const f = await app.waitFor('Bid on “Brass lamp”');
    expect(f).toMatch(/Bid on “Brass lamp” \(min 1,250\): 1,250/);
    await app.press(KEY.enter);
    await app.waitFor('placed: you are leading');
    expect(src.auctions.get(lamp.id)).toMatchObject({ currentPrice: 1250, leaderId: 1 });
    expect(lineWith(app.frame(), 'Brass lamp')).toMatch(/\*\s+Brass lamp\s+1,250\s+you\s+2/);
  });

  it('sends the amount typed over the prefill', async () => {
    const { src, app, auctions: [lamp] } = await showBoard([{ title: 'Brass lamp', startPrice: 1000 }]);
    await app.press('b');
    await app.waitFor('(min 1,000): 1,000');
    await app.press('\x15', '2', '_', '5', '0', '0');
    await app.waitFor('(min 1,000): 2_500');
    await app.press(KEY.enter);
    await app.waitFor('Bid 2,500 on “Brass lamp” placed');
    expect(src.auctions.get(lamp.id)!.currentPrice).toBe(2500);
  });

  it('cancels with Esc without bidding', async () => {
    const { src, app, auctions: [lamp] } = await showBoard([{ title: 'Brass lamp' }]);
    await app.press('b');
    await app.waitFor('Bid on');
    await app.press(KEY.escape);
    await app.waitFor((f) => !f.includes('Bid on') && f.includes('q quit'));
    expect(src.auctions.get(lamp.id)!.bidCount).toBe(0);
  });

  it('refuses text that is not a whole amount, before sending anything', async () => {
    const { src, app, auctions: [lamp] } = await showBoard([{ title: 'Brass lamp' }]);
    await app.press('b', KEY.backspace, KEY.backspace, KEY.backspace, '.', '5', KEY.enter);
    await app.waitFor('✗ Type a whole amount, like 100.');
    expect(app.frame()).toContain('Bid on “Brass lamp”');
    expect(src.auctions.get(lamp.id)!.bidCount).toBe(0);
  });

  it('takes keys that arrive in one burst in order', async () => {
    const { src, app, auctions: [lamp] } = await showBoard([{ title: 'Brass lamp', startPrice: 1000 }]);
    // "b", clear, "3000", Enter, all in one write, as a fast typist or a script would send them.
    app.stdin.write('b');
    app.stdin.write('\x153000\r');
    await app.waitFor('Bid 3,000 on “Brass lamp” placed');
    expect(src.auctions.get(lamp.id)!.currentPrice).toBe(3000);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { FakeBoardSource } from '../../helpers/fake-board-source.js';
import { KEY, renderApp, showBoard } from '../../helpers/ink.js';
import { ErrorLine } from '../../../src/tui/components/error-line.js';

afterEach(() => cleanup());

describe('error display', () => {
  it('renders one marked sentence', () => {
    const { lastFrame } = render(<ErrorLine message="The auction has ended." />);
    expect(lastFrame()).toBe('✗ The auction has ended.');
  });

  it('shows BID_TOO_LOW with the new minimum inline, keeps the input open, and the screen keeps working', async () => {
    const { src, app, auctions: [lamp] } = await showBoard([{ title: 'Brass lamp', startPrice: 1000 }, { title: 'Oak table', endsInSec: 900 }]);
    await app.press('b');
    await app.waitFor('(min 1,000): 1,000');
    // Someone else bids while the input is open.
    src.placeBid(lamp.id, 8, 1000);
    await app.press(KEY.enter);
    const f = await app.waitFor('✗ The bid is below the minimum next bid of 1,010.');
    expect(f).toContain('Bid on “Brass lamp”');
    await app.press(KEY.escape, 'j');
    await app.waitFor('2/2');
  });

  it('shows AUCTION_CLOSED when the auction ends before the bid lands', async () => {
    const { src, app, auctions: [lamp] } = await showBoard([{ title: 'Brass lamp' }]);
    await app.press('b');
    await app.waitFor('Bid on');
    src.closeAuction(lamp.id);
    await app.press(KEY.enter);
    await app.waitFor('✗ The auction is unsold.');
  });

  it('asks before buying now, then shows INSUFFICIENT_FUNDS with the available amount', async () => {
    const { src, app } = await showBoard([{ title: 'Brass lamp', buyNowPrice: 5000 }], { id: 1, name: 'ann', balance: 100, held: 0, available: 100 });
    await app.press('u');
    await app.waitFor('Buy “Brass lamp” now for 5,000? y yes · n no');
    await app.press('y');
    await app.waitFor('✗ Your available funds (100) do not cover this amount.');
  });

  it('buys now after y, and the row shows the sale', async () => {
    const { src, app, auctions: [lamp] } = await showBoard([{ title: 'Brass lamp', buyNowPrice: 5000 }]);
    await app.press('u');
    await app.waitFor('Buy “Brass lamp”');
    await app.press('y');
    await app.waitFor('You bought “Brass lamp” for 5,000.');
    await app.waitFor('SOLD 5,000 to you');
    expect(src.auctions.get(lamp.id)!.status).toBe('sold');
  });

  it('says why buy now is not possible on an auction without a buy-now price', async () => {
    const { src, app } = await showBoard([{ title: 'Brass lamp' }]);
    await app.press('u');
    await app.waitFor('✗ This auction has no buy-now price.');
    // Esc dismisses the message.
    await app.press(KEY.escape);
    await app.waitFor((f) => !f.includes('✗'));
  });

  it('explains that bidding needs a token when watching without one', async () => {
    const { src, app } = await showBoard([{ title: 'Brass lamp' }], null);
    const f = app.frame();
    expect(f).toContain('watching only');
    await app.press('b');
    await app.waitFor('✗ Bidding needs a user token');
  });
});

// The closer loop on its own timer: an ended auction is settled without anyone asking.
import { afterEach, describe, expect, it } from 'vitest';
import { useDaemon } from '../../helpers/fixture.js';
import { ENDS_SOON, expectAuditClean, seedAuction, seedUser } from '../../helpers/seed.js';
import { waitFor } from '../../helpers/poll.js';

const t = useDaemon({ closerIntervalMs: 50 });
afterEach(() => expectAuditClean(t.daemon.admin));

describe('closer loop', () => {
  it('settles ended auctions by itself and stops cleanly', async () => {
    const seller = await seedUser(t.daemon);
    const bidder = await seedUser(t.daemon, 1000);
    const [sold, unsold] = await Promise.all([seedAuction(seller, { durationSec: ENDS_SOON }), seedAuction(seller, { durationSec: ENDS_SOON })]);
    await bidder.client.bid(sold.id, 100);

    await waitFor(async () => (await t.daemon.admin.auction(sold.id)).status === 'closed', 30_000, 'the sale to close');
    await waitFor(async () => (await t.daemon.admin.auction(unsold.id)).status === 'unsold', 30_000, 'the unsold auction to close');
    expect(await bidder.client.me()).toMatchObject({ balance: 900, held: 0 });
    expect((await seller.client.me()).balance).toBe(100);
  });
});

// The away list's words for the endings a user missed: an auction lost to
// someone, and one that ended below its reserve, which nobody won.
import { describe, expect, it } from 'vitest';
import { awayText } from '../../../src/tui/components/away.js';
import type { InboxEvent } from '../../../src/protocol/inbox.js';

const title = (id: number) => (id === 7 ? 'Brass lamp' : undefined);
const who = (id: number) => `user ${id}`;
const at = '2030-05-01T18:05:00.000Z';

describe('the away list', () => {
  it('names who won an auction the user lost, and says when nobody won it for the reserve', () => {
    const sold: InboxEvent = { type: 'lost', auction: 7, version: 9, at, price: 1500, winnerId: 5, reason: null, seq: 3 };
    const unmet: InboxEvent = { type: 'lost', auction: 8, version: 4, at, price: null, winnerId: null, reason: 'reserve_not_met', seq: 4 };
    expect(awayText(sold, title, who)).toBe('lost “Brass lamp”: user 5 won it for 1,500');
    expect(awayText(unmet, title, who)).toBe('auction #8 ended below its reserve; nobody won it');
  });
});

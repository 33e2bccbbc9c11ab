// Which users' inboxes a committed outbox row wrote to (migration 005's
// trigger), so that their sockets read on at once. The seller of an ended
// auction is not in its row; the closer's pass over ended auctions names them
// (Publisher.publishInbox), and the catch-up finds anything else.
import type { OutboxEvent } from '../rules/outcome.js';

/** The users an outbox row gave inbox events to, as far as the row tells. */
export function inboxUsersOf(row: OutboxEvent): number[] {
  const out: number[] = [];
  const p = row.private;
  if (p?.maxRaised) out.push(p.maxRaised.userId);
  if (p?.maxExhausted) out.push(p.maxExhausted.userId);
  if (p?.outbid) out.push(p.outbid.userId);
  for (const b of p?.balances ?? []) out.push(b.userId);
  const e = row.payload;
  if (e.type === 'sold') out.push(e.buyerId);
  if (e.type === 'closed' && e.winnerId !== null) out.push(e.winnerId);
  return out;
}

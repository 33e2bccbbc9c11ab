// What each committed outbox row owes its users privately, written to their
// inboxes (the tables and nb_inbox_append are migration 005's) by a trigger in
// the rule's own transaction. A rule file rather than a migration because it
// follows the rules: what the private part of a row says (src/protocol/events.ts,
// EventPrivate) is written by the rule functions of this folder.
//
// Lock order, unchanged: the trigger runs at the end of a rule's INSERT into
// events and touches only users that rule has locked — those named in
// `private` (outbid, a maximum answering or used up, money that moved), and
// the winner or buyer and the seller of an ended auction. The other bidders
// of an ended auction are told by the closer's pass (nb_inbox_losers).
export default /* sql */ `
-- The other bidders of ended auctions (pending rows given as two arrays), each
-- with its \`lost\` event, in a fixed order; read twice by the closer's pass
-- (src/daemon/rules/inbox.ts): to lock these users, then to append. "Other"
-- than the winner or buyer: an auction that ended below its reserve has
-- none, so every bidder hears of it (the leader too, whose hold the ending
-- released), with the public \`closed\` event's price, winner (both null) and
-- reason. Without a bid there is nobody to tell.
CREATE OR REPLACE FUNCTION nb_inbox_losers(p_auctions bigint[], p_versions bigint[])
RETURNS TABLE (user_id bigint, payload jsonb, at timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT l.bidder_id,
         jsonb_build_object('type', 'lost', 'auction', e.auction_id, 'version', e.version,
           'at', e.payload->'at', 'price', e.payload->'price', 'winnerId', w.winner,
           'reason', coalesce(e.payload->'reason', 'null'::jsonb)),
         e.created_at
    FROM unnest(p_auctions, p_versions) AS p(auction_id, version)
    JOIN events e ON e.auction_id = p.auction_id AND e.version = p.version
   CROSS JOIN LATERAL (SELECT (e.payload->>(CASE e.type WHEN 'sold' THEN 'buyerId' ELSE 'winnerId' END))::bigint AS winner) w
   CROSS JOIN LATERAL (SELECT DISTINCT b.bidder_id FROM bids b
                        WHERE b.auction_id = e.auction_id AND b.bidder_id IS DISTINCT FROM w.winner) l
   ORDER BY e.auction_id, e.version, l.bidder_id
$$;

-- One call per INSERT statement (a group of bids is one), reading only the rows
-- just written. Per outbox row, in this order: maxRaised, maxExhausted, outbid,
-- won, sale or unsold, then balances.
CREATE OR REPLACE FUNCTION nb_inbox_from_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  -- The bid rules write several auctions' rows in one statement and say here
  -- in which order they made them (nb_write_events): each user's rows are
  -- numbered in that order, auction by auction. Other rules leave it unset.
  v_order bigint[] := nullif(current_setting('nb.event_order', true), '')::bigint[];
BEGIN
  PERFORM nb_inbox_append(array_agg(t.user_id ORDER BY t.o, t.version, t.k),
                          array_agg(t.payload ORDER BY t.o, t.version, t.k),
                          array_agg(t.at ORDER BY t.o, t.version, t.k))
     FROM (
       -- Your maximum answered a bid: you lead at the row's price. Your maximum, to you alone.
       SELECT (e.private->'maxRaised'->>'userId')::bigint AS user_id, array_position(v_order, e.auction_id) AS o, e.version, 0 AS k, e.created_at AS at,
              jsonb_build_object('type', 'maxRaised', 'auction', e.auction_id, 'version', e.version,
                'at', e.payload->'at', 'price', e.payload->'price', 'max', e.private->'maxRaised'->'max') AS payload
         FROM new_events e
        WHERE e.type = 'bid' AND e.private ? 'maxRaised'
       UNION ALL
       -- The price reached your maximum.
       SELECT (e.private->'maxExhausted'->>'userId')::bigint, array_position(v_order, e.auction_id), e.version, 1, e.created_at,
              jsonb_build_object('type', 'maxExhausted', 'auction', e.auction_id, 'version', e.version,
                'at', e.payload->'at', 'max', e.private->'maxExhausted'->'max')
         FROM new_events e
        WHERE e.type = 'bid' AND e.private ? 'maxExhausted'
       UNION ALL
       -- Someone took the lead from you (a bid, a maximum, a buy-now, an admin's cancel),
       -- or a leader's maximum answered your bid at once.
       SELECT (e.private->'outbid'->>'userId')::bigint, array_position(v_order, e.auction_id), e.version, 2, e.created_at,
              jsonb_build_object('type', 'outbid', 'auction', e.auction_id, 'version', e.version,
                'at', e.payload->'at',
                'by', coalesce(e.private->'outbid'->'by', to_jsonb(CASE e.type WHEN 'sold' THEN 'buyNow' ELSE 'bid' END)),
                'price', CASE WHEN e.type = 'cancelled' THEN 'null'::jsonb ELSE e.payload->'price' END,
                'leaderId', CASE WHEN e.type = 'cancelled' THEN 'null'::jsonb ELSE e.payload->'leaderId' END,
                'released', e.private->'outbid'->'released')
         FROM new_events e
        WHERE e.type IN ('bid', 'sold', 'cancelled') AND e.private ? 'outbid'
       UNION ALL
       -- You won: bought now, or leading at the close (with the reserve met).
       SELECT (e.payload->>(CASE e.type WHEN 'sold' THEN 'buyerId' ELSE 'winnerId' END))::bigint, array_position(v_order, e.auction_id), e.version, 3, e.created_at,
              jsonb_build_object('type', 'won', 'auction', e.auction_id, 'version', e.version,
                'at', e.payload->'at', 'price', e.payload->'price')
         FROM new_events e
        WHERE e.type = 'sold' OR (e.type = 'closed' AND e.payload->>'status' = 'closed')
       UNION ALL
       -- Your auction ended: sold, or unsold (without a bid, or below your reserve). The auction row is the rule's, locked.
       SELECT (SELECT a.seller_id FROM auctions a WHERE a.id = e.auction_id), array_position(v_order, e.auction_id), e.version, 4, e.created_at,
              CASE WHEN e.payload->>'status' = 'unsold'
                THEN jsonb_build_object('type', 'unsold', 'auction', e.auction_id, 'version', e.version,
                       'at', e.payload->'at', 'reason', coalesce(e.payload->'reason', '"no_bids"'::jsonb))
                ELSE jsonb_build_object('type', 'sale', 'auction', e.auction_id, 'version', e.version,
                       'at', e.payload->'at', 'price', e.payload->'price',
                       'buyerId', coalesce(e.payload->'buyerId', e.payload->'winnerId'))
              END
         FROM new_events e
        WHERE e.type IN ('sold', 'closed')
       UNION ALL
       -- Your balance or holds changed.
       SELECT (b.value->>'userId')::bigint, array_position(v_order, e.auction_id), e.version, 4 + b.i::integer, e.created_at,
              jsonb_build_object('type', 'balance', 'userId', b.value->'userId',
                'balance', b.value->'balance', 'held', b.value->'held',
                'available', (b.value->>'balance')::bigint - (b.value->>'held')::bigint,
                'at', e.payload->'at')
         FROM new_events e
        CROSS JOIN LATERAL jsonb_array_elements(e.private->'balances') WITH ORDINALITY AS b(value, i)
        WHERE e.private ? 'balances'
     ) t
   HAVING count(*) > 0;

  INSERT INTO inbox_pending (auction_id, version)
  SELECT e.auction_id, e.version FROM new_events e WHERE e.type IN ('sold', 'closed');
  RETURN NULL;
END
$$;
`;

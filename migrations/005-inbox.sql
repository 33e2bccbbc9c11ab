-- The inbox: every private event of a user, stored in the transaction that
-- makes the change it reports, numbered per user (seq 1, 2, 3… with no gap, in
-- commit order). See docs/protocol.md, "The inbox".
--
-- Numbering: users.inbox_seq is the user's last seq. A transaction takes the
-- next numbers only while it holds that user's row lock, so the numbers of one
-- user are handed out one transaction at a time, in commit order, and a reader
-- that sees seq n also sees every seq below it.
--
-- Lock order, unchanged: the rules lock auction rows (ascending id), then every
-- user whose balance or held changes (ascending id), then write the outbox.
-- The trigger below runs at the end of that INSERT, inside the rule's
-- transaction, and touches only users the rule has already locked — those
-- named in `private` (their money moved), and the winner or buyer and the
-- seller of an ended auction (nb_settle_due and nb_buy_now lock them) — so it
-- never waits and never takes a lock out of order. The other bidders of an
-- ended auction are not locked there; each such auction leaves a row in
-- inbox_pending, and the closer's pass (src/daemon/rules/inbox.ts) locks the
-- pending row, then those users (ascending id), and tells them in a
-- transaction of its own.
ALTER TABLE users ADD COLUMN inbox_seq bigint NOT NULL DEFAULT 0;

-- No foreign key to users: rows are written only by nb_inbox_append, for users
-- whose row it has just updated, and a key check per row would sit on the bid path.
CREATE TABLE inbox (
  user_id     bigint NOT NULL,
  seq         bigint NOT NULL,
  -- The private event as the user receives it, without its seq.
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (user_id, seq)
);
-- Pruning by age (rows arrive in time order, so a BRIN index is enough and costs little to keep).
CREATE INDEX inbox_by_time ON inbox USING brin (created_at);

-- Ended auctions whose other bidders are still to be told they lost.
CREATE TABLE inbox_pending (
  auction_id  bigint NOT NULL,
  version     bigint NOT NULL,
  PRIMARY KEY (auction_id, version)
);

-- Appends events to users' inboxes, in the order given (several per user allowed).
-- The caller holds the row lock of every user named (see the lock order above).
CREATE FUNCTION nb_inbox_append(p_users bigint[], p_payloads jsonb[], p_at timestamptz[]) RETURNS void
LANGUAGE sql AS $$
  WITH items AS (
    SELECT x.user_id, x.payload, x.at, x.i
      FROM unnest(p_users, p_payloads, p_at) WITH ORDINALITY AS x(user_id, payload, at, i)
  ), counted AS (
    SELECT user_id, count(*) AS n FROM items GROUP BY user_id
  ), bumped AS (
    UPDATE users u SET inbox_seq = u.inbox_seq + c.n
      FROM counted c
     WHERE u.id = c.user_id
    RETURNING u.id, u.inbox_seq - c.n AS base
  )
  INSERT INTO inbox (user_id, seq, payload, created_at)
  SELECT i.user_id, b.base + row_number() OVER (PARTITION BY i.user_id ORDER BY i.i), i.payload, i.at
    FROM items i JOIN bumped b ON b.id = i.user_id
$$;

-- The other bidders of ended auctions (pending rows given as two arrays), each
-- with its `lost` event, in a fixed order. Read twice by the closer's pass: to
-- lock these users, then to append.
CREATE FUNCTION nb_inbox_losers(p_auctions bigint[], p_versions bigint[])
RETURNS TABLE (user_id bigint, payload jsonb, at timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT l.bidder_id,
         jsonb_build_object('type', 'lost', 'auction', e.auction_id, 'version', e.version,
           'at', e.payload->'at', 'price', e.payload->'price', 'winnerId', w.winner),
         e.created_at
    FROM unnest(p_auctions, p_versions) AS p(auction_id, version)
    JOIN events e ON e.auction_id = p.auction_id AND e.version = p.version
   CROSS JOIN LATERAL (SELECT (e.payload->>(CASE e.type WHEN 'sold' THEN 'buyerId' ELSE 'winnerId' END))::bigint AS winner) w
   -- An auction that ended unsold has no winner and no bidders: no row.
   CROSS JOIN LATERAL (SELECT DISTINCT b.bidder_id FROM bids b
                        WHERE b.auction_id = e.auction_id AND b.bidder_id <> w.winner) l
   ORDER BY e.auction_id, e.version, l.bidder_id
$$;

-- What each new outbox row owes its users privately. One call per INSERT
-- statement (a batch of bids is one), reading only the rows just written.
-- Per outbox row, in this order: outbid, won, sale or unsold, then balances.
CREATE FUNCTION nb_inbox_from_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM nb_inbox_append(array_agg(t.user_id ORDER BY t.version, t.k),
                          array_agg(t.payload ORDER BY t.version, t.k),
                          array_agg(t.at ORDER BY t.version, t.k))
     FROM (
       -- Someone took the lead from you (a bid, or a buy-now over your bid).
       SELECT (e.private->'outbid'->>'userId')::bigint AS user_id, e.version, 0 AS k, e.created_at AS at,
              jsonb_build_object('type', 'outbid', 'auction', e.auction_id, 'version', e.version,
                'at', e.payload->'at', 'price', e.payload->'price', 'leaderId', e.payload->'leaderId',
                'released', e.private->'outbid'->'released') AS payload
         FROM new_events e
        WHERE e.type IN ('bid', 'sold') AND e.private ? 'outbid'
       UNION ALL
       -- You won: bought now, or leading at the close.
       SELECT (e.payload->>(CASE e.type WHEN 'sold' THEN 'buyerId' ELSE 'winnerId' END))::bigint, e.version, 1, e.created_at,
              jsonb_build_object('type', 'won', 'auction', e.auction_id, 'version', e.version,
                'at', e.payload->'at', 'price', e.payload->'price')
         FROM new_events e
        WHERE e.type = 'sold' OR (e.type = 'closed' AND e.payload->>'status' = 'closed')
       UNION ALL
       -- Your auction ended: sold, or without a bid. The auction row is the rule's, locked.
       SELECT (SELECT a.seller_id FROM auctions a WHERE a.id = e.auction_id), e.version, 2, e.created_at,
              CASE WHEN e.payload->>'status' = 'unsold'
                THEN jsonb_build_object('type', 'unsold', 'auction', e.auction_id, 'version', e.version,
                       'at', e.payload->'at')
                ELSE jsonb_build_object('type', 'sale', 'auction', e.auction_id, 'version', e.version,
                       'at', e.payload->'at', 'price', e.payload->'price',
                       'buyerId', coalesce(e.payload->'buyerId', e.payload->'winnerId'))
              END
         FROM new_events e
        WHERE e.type IN ('sold', 'closed')
       UNION ALL
       -- Your balance or holds changed.
       SELECT (b.value->>'userId')::bigint, e.version, 2 + b.i::integer, e.created_at,
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

CREATE TRIGGER events_to_inbox AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION nb_inbox_from_events();

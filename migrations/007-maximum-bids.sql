-- Maximum (proxy) bids, increment tables, a hidden reserve and buy now that
-- goes away (issue 15; the rules are docs/rules.md). What is hidden stays in
-- columns no public JSON reads: the leader's working maximum (leader_max), the
-- reserve price, and the maximum behind each bid row (bids.max_amount, for the
-- audit).
ALTER TABLE auctions
  -- A fixed increment (min_increment) or a table (increments: [{from, step}, …]), never both.
  ALTER COLUMN min_increment DROP NOT NULL,
  ADD COLUMN increments jsonb,
  ADD COLUMN reserve_price bigint,
  ADD COLUMN buy_now_until text NOT NULL DEFAULT 'price',
  -- The leader's maximum, which is also their hold on this auction (a plain
  -- bid's maximum is its amount). Hidden; NULL once the auction is not open.
  ADD COLUMN leader_max bigint,
  ADD COLUMN unsold_reason text;

-- Today's leaders hold their price: that is their maximum.
UPDATE auctions SET leader_max = current_price WHERE status = 'open' AND leader_id IS NOT NULL;
UPDATE auctions SET unsold_reason = 'no_bids' WHERE status = 'unsold';

ALTER TABLE auctions
  ADD CONSTRAINT auctions_one_increment CHECK ((min_increment IS NULL) <> (increments IS NULL)),
  ADD CONSTRAINT auctions_increments_table CHECK (increments IS NULL OR jsonb_typeof(increments) = 'array'),
  ADD CONSTRAINT auctions_reserve CHECK (reserve_price IS NULL OR reserve_price BETWEEN start_price AND 9007199254740991),
  ADD CONSTRAINT auctions_buy_now_above_reserve CHECK (buy_now_price IS NULL OR reserve_price IS NULL OR buy_now_price >= reserve_price),
  ADD CONSTRAINT auctions_buy_now_until CHECK (buy_now_until IN ('price', 'firstBid', 'reserveMet')),
  ADD CONSTRAINT auctions_leader_max CHECK (
    (leader_max IS NOT NULL) = (status = 'open' AND leader_id IS NOT NULL)
    AND (leader_max IS NULL OR leader_max BETWEEN current_price AND 9007199254740991)),
  ADD CONSTRAINT auctions_unsold_reason CHECK (
    (unsold_reason IS NOT NULL) = (status = 'unsold') AND (unsold_reason IS NULL OR unsold_reason IN ('no_bids', 'reserve_not_met')));

ALTER TABLE bids
  -- Placed by the bidder's maximum in answer to someone else's bid.
  ADD COLUMN automatic boolean NOT NULL DEFAULT false,
  -- The bidder's maximum behind this row, when a maximum placed it (hidden; the audit checks amount <= max_amount).
  ADD COLUMN max_amount bigint,
  ADD CONSTRAINT bids_within_max CHECK (max_amount IS NULL OR max_amount >= amount);

-- GET /v1/me/bids: a user's auctions.
CREATE INDEX bids_by_bidder ON bids (bidder_id, auction_id);

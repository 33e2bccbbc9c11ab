// The shared helpers of the rules: the one definition of an auction's and a
// bid's JSON, the minimum next bid, timestamps as ISO text, the shape of a
// rule's refusal, and the refusal of a caller of another rules version.
import { RULES_VERSION } from './version.js';

export default /* sql */ `
CREATE OR REPLACE FUNCTION nb_iso(t timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- Raises NB001 for a daemon whose rules version is not the installed one; the
-- daemon logs it and answers UNAVAILABLE. STABLE (it only reads) so that the
-- SQL functions calling it stay inlinable.
CREATE OR REPLACE FUNCTION nb_rules_refuse(p_rules integer) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  r record;
BEGIN
  SELECT version, installed_by INTO r FROM rules_version;
  RAISE EXCEPTION 'rules version % (installed by neighborbid %) replaced version % in this database',
    r.version, r.installed_by, coalesce(p_rules::text, 'none')
    USING ERRCODE = 'NB001';
END
$$;

-- The smallest valid next bid, or NULL when none is possible.
CREATE OR REPLACE FUNCTION nb_min_next_bid(a auctions) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN a.status <> 'open' THEN NULL
    WHEN a.current_price IS NULL THEN a.start_price
    WHEN a.current_price + a.min_increment > 9007199254740991 THEN NULL
    ELSE a.current_price + a.min_increment
  END
$$;

-- The one definition of an auction's JSON, used by every read and every answer.
CREATE OR REPLACE FUNCTION nb_auction_json(a auctions, p_rules integer) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN p_rules = ${RULES_VERSION} THEN jsonb_build_object(
    'id', a.id, 'title', a.title, 'sellerId', a.seller_id, 'status', a.status,
    'startPrice', a.start_price, 'minIncrement', a.min_increment,
    'buyNowPrice', a.buy_now_price, 'softCloseSec', a.soft_close_sec,
    'currentPrice', a.current_price, 'leaderId', a.leader_id, 'bidCount', a.bid_count,
    'minNextBid', nb_min_next_bid(a),
    'endsAt', nb_iso(a.ends_at), 'createdAt', nb_iso(a.created_at), 'version', a.version)
  ELSE nb_rules_refuse(p_rules) END
$$;

CREATE OR REPLACE FUNCTION nb_bid_json(b bids, p_rules integer) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN p_rules = ${RULES_VERSION} THEN jsonb_build_object(
    'id', b.id, 'auctionId', b.auction_id, 'bidderId', b.bidder_id,
    'amount', b.amount, 'version', b.version, 'at', nb_iso(b.created_at))
  ELSE nb_rules_refuse(p_rules) END
$$;

-- A rule's refusal: an error code from src/protocol/errors.ts and its details,
-- nothing more. The daemon gives it its HTTP status and sentence from that table.
CREATE OR REPLACE FUNCTION nb_err(p_code text, p_details jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('body', jsonb_build_object('error', p_details || jsonb_build_object('code', p_code)))
$$;
`;

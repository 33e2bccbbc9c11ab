// The shared helpers of the rules: the one definition of an auction's and a
// bid's JSON, the increment at a price and the minimum next bid, the reserve
// and buy-now tests, timestamps as ISO text, the shape of a rule's refusal and
// of a one-request rule's result, and the refusal of a caller of another rules version. Each mirrors a
// function of the reference model (test/model/state.ts, bid.ts) of the same
// meaning.
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

-- The increment at a price: the fixed one, or the step of the table's row
-- with the greatest "from" not above the price (rows ascend; the first is from 0).
CREATE OR REPLACE FUNCTION nb_step_at(a auctions, p_price bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN a.increments IS NULL THEN a.min_increment ELSE
    (SELECT (r->>'step')::bigint FROM jsonb_array_elements(a.increments) WITH ORDINALITY AS t(r, i)
      WHERE (r->>'from')::bigint <= p_price ORDER BY i DESC LIMIT 1)
  END
$$;

-- The smallest valid next bid: the start price before the first bid, then the
-- price plus the step at the price; NULL when the auction is not open or that
-- would pass 2^53 − 1.
CREATE OR REPLACE FUNCTION nb_min_next_bid(a auctions) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN a.status <> 'open' THEN NULL
    WHEN a.current_price IS NULL THEN a.start_price
    ELSE nullif(least(a.current_price + nb_step_at(a, a.current_price), 9007199254740992), 9007199254740992)
  END
$$;

-- The price has reached the reserve; without a reserve, the start price (so: any bid).
CREATE OR REPLACE FUNCTION nb_reserve_met(a auctions) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT a.current_price IS NOT NULL AND a.current_price >= coalesce(a.reserve_price, a.start_price)
$$;

-- A price a maximum would lead at, lifted to the reserve when the maximum reaches it.
CREATE OR REPLACE FUNCTION nb_with_reserve(a auctions, p_price bigint, p_max bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN a.reserve_price IS NOT NULL AND p_max >= a.reserve_price THEN greatest(p_price, a.reserve_price) ELSE p_price END
$$;

-- Why buy now is not offered (whatever the status), or NULL when it is:
-- 'no_buy_now', or per buy_now_until 'price_reached', 'first_bid', 'reserve_met'.
CREATE OR REPLACE FUNCTION nb_buy_now_refusal(a auctions) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN a.buy_now_price IS NULL THEN 'no_buy_now'
    WHEN a.buy_now_until = 'firstBid' THEN CASE WHEN a.bid_count > 0 THEN 'first_bid' END
    WHEN a.buy_now_until = 'reserveMet' THEN CASE WHEN nb_reserve_met(a) THEN 'reserve_met' END
    ELSE CASE WHEN a.current_price >= a.buy_now_price THEN 'price_reached' END
  END
$$;

-- The one definition of an auction's JSON, used by every read and every answer.
-- Public: never the reserve price nor the leader's maximum (docs/rules.md, "Privacy").
CREATE OR REPLACE FUNCTION nb_auction_json(a auctions, p_rules integer) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN p_rules = ${RULES_VERSION} THEN jsonb_build_object(
    'id', a.id, 'title', a.title, 'sellerId', a.seller_id, 'status', a.status,
    'startPrice', a.start_price, 'minIncrement', a.min_increment,
    'increments', coalesce(a.increments, jsonb_build_array(jsonb_build_object('from', 0, 'step', a.min_increment))),
    'hasReserve', a.reserve_price IS NOT NULL, 'reserveMet', nb_reserve_met(a),
    'buyNowPrice', a.buy_now_price, 'buyNowUntil', a.buy_now_until,
    'buyNowAvailable', a.status = 'open' AND now() < a.ends_at AND nb_buy_now_refusal(a) IS NULL,
    'softCloseSec', a.soft_close_sec,
    'currentPrice', a.current_price, 'leaderId', a.leader_id, 'bidCount', a.bid_count,
    'minNextBid', nb_min_next_bid(a),
    'endsAt', nb_iso(a.ends_at), 'createdAt', nb_iso(a.created_at), 'version', a.version,
    'unsoldReason', a.unsold_reason)
  ELSE nb_rules_refuse(p_rules) END
$$;

-- A bid row as anyone may see it: never the maximum behind it.
CREATE OR REPLACE FUNCTION nb_bid_json(b bids, p_rules integer) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN p_rules = ${RULES_VERSION} THEN jsonb_build_object(
    'id', b.id, 'auctionId', b.auction_id, 'bidderId', b.bidder_id,
    'amount', b.amount, 'version', b.version, 'at', nb_iso(b.created_at), 'automatic', b.automatic)
  ELSE nb_rules_refuse(p_rules) END
$$;

-- A rule's refusal: an error code from src/protocol/errors.ts and its details,
-- nothing more. The daemon gives it its HTTP status and sentence from that table.
CREATE OR REPLACE FUNCTION nb_err(p_code text, p_details jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('body', jsonb_build_object('error', p_details || jsonb_build_object('code', p_code)))
$$;

-- What a rule of one request (buy now, cancel) returns: its one answer and the
-- events it made ({payload, private} each), none unless given.
CREATE OR REPLACE FUNCTION nb_one_answer(p_answer jsonb, p_events jsonb DEFAULT '[]') RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('results', jsonb_build_array(p_answer), 'events', p_events)
$$;
`;

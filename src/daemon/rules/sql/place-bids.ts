// Bidding: a batch of bids on one auction under one lock (nb_place_bids), and
// the batches of several auctions in one transaction (nb_place_bids_multi),
// the daemon's group commit (src/daemon/rules/bid-queue.ts, docs/design.md).
//
// Lock order, everywhere: auction rows (ascending id) → user rows (ascending id)
// → idempotency keys (each claimed while its owner's user row is held).
// Checks run only after the locks are held.
//
// Each request's answer is {body}: the bid and the auction, or a refusal
// {error: {code, ...details}} (nb_err); the daemon adds its status and sentence.
import { checkCaller } from './version.js';

export default /* sql */ `
-- Places a batch of bids on one auction, in the order given, under one lock.
-- p_bids: [{bidderId, amount, key?, hash?}]. A bid a rule rejects gets its own
-- error and changes nothing; the others go on. Returns {results, events}.
--
-- Cost is per bid, so the loop only decides and remembers: answers and events
-- gather in arrays (appending to a jsonb value would copy it every time), and
-- the bid, ledger and outbox rows are written by one INSERT per table after
-- the loop. Bid ids come from the sequence as each bid is accepted, so ids
-- and versions still follow arrival order. Idempotency keys are claimed and
-- stored inside the loop, in order, so two requests with one key in the same
-- batch still see each other.
CREATE OR REPLACE FUNCTION nb_place_bids(p_auction bigint, p_bids jsonb, p_rules integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  a          auctions%ROWTYPE;
  req        record;
  uid        bigint[];
  ubal       bigint[];
  uheld      bigint[];
  uheld0     bigint[];
  bi         integer;
  li         integer;
  v_start_version bigint;
  v_min      bigint;
  v_avail    bigint;
  v_prev     bigint;
  v_released bigint;
  v_bid_id   bigint;
  v_bid_version bigint;
  v_at       timestamptz;
  v_at_text  text;
  v_extended boolean;
  v_private  jsonb;
  v_payload  jsonb;
  res        jsonb;
  results    jsonb[] := '{}';
  events     jsonb[] := '{}';
  -- Rows to write after the loop.
  b_id       bigint[] := '{}';
  b_bidder   bigint[] := '{}';
  b_amount   bigint[] := '{}';
  b_version  bigint[] := '{}';
  b_at       timestamptz[] := '{}';
  l_user     bigint[] := '{}';
  l_kind     text[] := '{}';
  l_delta    bigint[] := '{}';
  l_bid      bigint[] := '{}';
  e_version  bigint[] := '{}';
  e_type     text[] := '{}';
  e_payload  jsonb[] := '{}';
  e_private  jsonb[] := '{}';
  e_at       timestamptz[] := '{}';
BEGIN
  ${checkCaller}
  -- Lock 1: the auction row.
  SELECT * INTO a FROM auctions WHERE id = p_auction FOR UPDATE;
  IF NOT FOUND THEN
    SELECT coalesce(jsonb_agg(nb_err('NOT_FOUND', jsonb_build_object('auction', p_auction))), '[]')
      INTO res FROM jsonb_array_elements(p_bids);
    RETURN jsonb_build_object('results', res, 'events', '[]'::jsonb);
  END IF;
  v_start_version := a.version;

  -- Lock 2: every user this batch can touch (its bidders and the current
  -- leader), ascending id, in one statement, before any check reads them.
  SELECT array_agg(id ORDER BY id), array_agg(balance ORDER BY id), array_agg(held ORDER BY id)
    INTO uid, ubal, uheld
    FROM (SELECT u.id, u.balance, u.held FROM users u
           WHERE u.id = ANY (ARRAY(SELECT (e->>'bidderId')::bigint FROM jsonb_array_elements(p_bids) e)
                             || a.leader_id)
           ORDER BY u.id
           FOR UPDATE) locked;
  uheld0 := uheld;

  FOR req IN
    SELECT (e->>'bidderId')::bigint AS bidder, (e->>'amount')::bigint AS amount,
           e->>'key' AS key, e->>'hash' AS hash
      FROM jsonb_array_elements(p_bids) WITH ORDINALITY AS t(e, ord)
     ORDER BY ord
  LOOP
    -- Lock 3: the request's idempotency key (its owner's row is held).
    IF req.key IS NOT NULL THEN
      res := nb_idem_claim('user:' || req.bidder, req.key, req.hash, p_rules);
      IF res IS NOT NULL THEN
        results := results || res;
        CONTINUE;
      END IF;
    ELSE
      res := NULL;
    END IF;

    bi := array_position(uid, req.bidder);
    v_min := nb_min_next_bid(a);
    IF bi IS NULL THEN
      res := nb_err('NOT_FOUND', jsonb_build_object('user', req.bidder));
    ELSIF a.status <> 'open' OR now() >= a.ends_at THEN
      res := nb_err('AUCTION_CLOSED', jsonb_build_object('status', a.status));
    ELSIF req.bidder = a.seller_id THEN
      res := nb_err('SELF_BID');
    ELSIF v_min IS NULL OR req.amount < v_min THEN
      res := nb_err('BID_TOO_LOW', jsonb_build_object('minimum', v_min));
    ELSE
      v_avail := ubal[bi] - uheld[bi]
               + CASE WHEN a.leader_id = req.bidder THEN a.current_price ELSE 0 END;
      IF v_avail < req.amount THEN
        res := nb_err('INSUFFICIENT_FUNDS', jsonb_build_object('available', v_avail));
      END IF;
    END IF;

    IF res IS NULL THEN
      v_prev := a.leader_id;
      v_released := a.current_price;
      v_at := clock_timestamp();
      v_at_text := nb_iso(v_at);
      a.version := a.version + 1;
      v_bid_version := a.version;
      v_bid_id := nextval('bids_id_seq');
      b_id := b_id || v_bid_id;
      b_bidder := b_bidder || req.bidder;
      b_amount := b_amount || req.amount;
      b_version := b_version || v_bid_version;
      b_at := b_at || v_at;
      IF v_prev IS NOT NULL THEN
        li := array_position(uid, v_prev);
        uheld[li] := uheld[li] - v_released;
        l_user := l_user || v_prev;
        l_kind := l_kind || 'release'::text;
        l_delta := l_delta || -v_released;
        l_bid := l_bid || v_bid_id;
      END IF;
      uheld[bi] := uheld[bi] + req.amount;
      l_user := l_user || req.bidder;
      l_kind := l_kind || 'hold'::text;
      l_delta := l_delta || req.amount;
      l_bid := l_bid || v_bid_id;

      a.current_price := req.amount;
      a.leader_id := req.bidder;
      a.bid_count := a.bid_count + 1;
      v_extended := a.soft_close_sec IS NOT NULL
                AND a.ends_at - now() < make_interval(secs => a.soft_close_sec);
      IF v_extended THEN
        a.ends_at := date_trunc('milliseconds', now() + make_interval(secs => a.soft_close_sec));
      END IF;

      v_private := jsonb_build_object('balances', jsonb_build_array(
        jsonb_build_object('userId', req.bidder, 'balance', ubal[bi], 'held', uheld[bi])));
      IF v_prev IS NOT NULL AND v_prev <> req.bidder THEN
        v_private := v_private
          || jsonb_build_object('outbid', jsonb_build_object('userId', v_prev, 'released', v_released))
          || jsonb_build_object('balances', (v_private->'balances') || jsonb_build_array(
               jsonb_build_object('userId', v_prev, 'balance', ubal[li], 'held', uheld[li])));
      END IF;
      v_payload := jsonb_build_object('type', 'bid', 'auction', a.id, 'version', a.version,
        'at', v_at_text, 'bidId', v_bid_id, 'bidderId', req.bidder, 'amount', req.amount,
        'price', a.current_price, 'leaderId', a.leader_id, 'previousLeaderId', v_prev,
        'bidCount', a.bid_count, 'endsAt', nb_iso(a.ends_at), 'minNextBid', nb_min_next_bid(a));
      e_version := e_version || a.version;
      e_type := e_type || 'bid'::text;
      e_payload := e_payload || v_payload;
      e_private := e_private || v_private;
      e_at := e_at || v_at;
      events := events || jsonb_build_object('payload', v_payload, 'private', v_private);

      IF v_extended THEN
        a.version := a.version + 1;
        v_payload := jsonb_build_object('type', 'extended', 'auction', a.id, 'version', a.version,
          'at', v_at_text, 'endsAt', nb_iso(a.ends_at), 'bidId', v_bid_id);
        e_version := e_version || a.version;
        e_type := e_type || 'extended'::text;
        e_payload := e_payload || v_payload;
        e_private := e_private || NULL::jsonb;
        e_at := e_at || v_at;
        events := events || jsonb_build_object('payload', v_payload);
      END IF;

      res := jsonb_build_object('body', jsonb_build_object(
        'bid', jsonb_build_object('id', v_bid_id, 'auctionId', a.id, 'bidderId', req.bidder,
                                  'amount', req.amount, 'version', v_bid_version, 'at', v_at_text),
        'auction', nb_auction_json(a, p_rules)));
    END IF;

    IF req.key IS NOT NULL THEN
      PERFORM nb_idem_store('user:' || req.bidder, req.key, res, p_rules);
    END IF;
    results := results || res;
  END LOOP;

  IF a.version <> v_start_version THEN
    UPDATE auctions
       SET current_price = a.current_price, leader_id = a.leader_id, bid_count = a.bid_count,
           ends_at = a.ends_at, version = a.version
     WHERE id = a.id;
    UPDATE users u SET held = c.held
      FROM unnest(uid, uheld, uheld0) AS c(id, held, held0)
     WHERE u.id = c.id AND c.held <> c.held0;
    INSERT INTO bids (id, auction_id, bidder_id, amount, version, created_at)
    SELECT r.id, a.id, r.bidder, r.amount, r.version, r.at
      FROM unnest(b_id, b_bidder, b_amount, b_version, b_at) AS r(id, bidder, amount, version, at);
    INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held, auction_id, bid_id)
    SELECT r.user_id, r.kind, abs(r.delta), 0, r.delta, a.id, r.bid_id
      FROM unnest(l_user, l_kind, l_delta, l_bid) WITH ORDINALITY AS r(user_id, kind, delta, bid_id, ord)
     ORDER BY r.ord;
    INSERT INTO events (auction_id, version, type, payload, private, created_at)
    SELECT a.id, r.version, r.type, r.payload, r.private, r.at
      FROM unnest(e_version, e_type, e_payload, e_private, e_at) AS r(version, type, payload, private, at);
  END IF;
  RETURN jsonb_build_object('results', to_jsonb(results), 'events', to_jsonb(events));
END
$$;

-- Places the bids of several auctions in one transaction (the daemon's group
-- commit across auctions, see docs/design.md). p_parts: [{auction, bids}], each
-- bids as for nb_place_bids. All the locks are taken up front, in the global
-- order, so that groups from several daemons never deadlock. Returns one
-- {results, events} per part, in the order given.
CREATE OR REPLACE FUNCTION nb_place_bids_multi(p_parts jsonb, p_rules integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  ids  bigint[];
  part record;
  out  jsonb[] := '{}';
BEGIN
  ${checkCaller}
  SELECT array_agg((e->>'auction')::bigint) INTO ids FROM jsonb_array_elements(p_parts) e;
  -- Lock 1: every auction of the group, ascending id.
  PERFORM 1 FROM auctions WHERE id = ANY (ids) ORDER BY id FOR UPDATE;
  -- Lock 2: every user the group can touch (bidders, current leaders), ascending id.
  PERFORM 1 FROM users
    WHERE id = ANY (ARRAY(SELECT (x->>'bidderId')::bigint FROM jsonb_array_elements(p_parts) e, jsonb_array_elements(e->'bids') x)
                    || ARRAY(SELECT leader_id FROM auctions WHERE id = ANY (ids) AND leader_id IS NOT NULL))
    ORDER BY id FOR UPDATE;
  -- Each auction's bids in order; nb_place_bids takes the same locks again at no cost.
  FOR part IN SELECT (e->>'auction')::bigint AS auction, e->'bids' AS bids
                FROM jsonb_array_elements(p_parts) WITH ORDINALITY AS t(e, ord) ORDER BY ord LOOP
    out := out || nb_place_bids(part.auction, part.bids, p_rules);
  END LOOP;
  RETURN to_jsonb(out);
END
$$;
`;

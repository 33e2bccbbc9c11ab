-- The money-moving rules, each one SQL function so that a whole rule runs in
-- one round trip while it holds its row locks (see docs/design.md, "One round
-- trip per transaction"). Bids, buys, cancels and settlements move money only
-- here; deposits and opening balances are booked in src/daemon/rules/users.ts.
--
-- Lock order, everywhere: auction rows (ascending id) → user rows (ascending id)
-- → idempotency keys (each claimed while its owner's user row is held).
-- Checks run only after the locks are held.
--
-- Results are JSON: {status, body} per request, where body is the exact HTTP
-- answer ({bid, auction} / {auction}) or {error: {code, ...details}}; the
-- daemon adds the human sentence for the code.
CREATE FUNCTION nb_iso(t timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- The smallest valid next bid, or NULL when none is possible.
CREATE FUNCTION nb_min_next_bid(a auctions) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN a.status <> 'open' THEN NULL
    WHEN a.current_price IS NULL THEN a.start_price
    WHEN a.current_price + a.min_increment > 9007199254740991 THEN NULL
    ELSE a.current_price + a.min_increment
  END
$$;

-- The one definition of an auction's JSON, used by every read and every answer.
CREATE FUNCTION nb_auction_json(a auctions) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', a.id, 'title', a.title, 'sellerId', a.seller_id, 'status', a.status,
    'startPrice', a.start_price, 'minIncrement', a.min_increment,
    'buyNowPrice', a.buy_now_price, 'softCloseSec', a.soft_close_sec,
    'currentPrice', a.current_price, 'leaderId', a.leader_id, 'bidCount', a.bid_count,
    'minNextBid', nb_min_next_bid(a),
    'endsAt', nb_iso(a.ends_at), 'createdAt', nb_iso(a.created_at), 'version', a.version)
$$;

CREATE FUNCTION nb_bid_json(b bids) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('id', b.id, 'auctionId', b.auction_id, 'bidderId', b.bidder_id,
    'amount', b.amount, 'version', b.version, 'at', nb_iso(b.created_at))
$$;

CREATE FUNCTION nb_err(p_status integer, p_code text, p_details jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('status', p_status,
    'body', jsonb_build_object('error', p_details || jsonb_build_object('code', p_code)))
$$;

-- Claims an idempotency key for this transaction. NULL: the key is ours, go on.
-- Otherwise the stored outcome to replay ({status, body, replayed}) or a conflict.
-- A concurrent claim of the same key waits here until its transaction ends.
CREATE FUNCTION nb_idem_claim(p_principal text, p_key text, p_hash text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  r idempotency_keys%ROWTYPE;
BEGIN
  IF p_key IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO idempotency_keys (principal, key, request_hash)
  VALUES (p_principal, p_key, p_hash)
  ON CONFLICT DO NOTHING;
  IF FOUND THEN
    RETURN NULL;
  END IF;
  SELECT * INTO r FROM idempotency_keys WHERE principal = p_principal AND key = p_key;
  IF r.request_hash <> p_hash THEN
    RETURN nb_err(409, 'IDEMPOTENCY_CONFLICT');
  END IF;
  RETURN jsonb_build_object('status', r.status, 'body', r.response, 'replayed', true);
END
$$;

CREATE FUNCTION nb_idem_store(p_principal text, p_key text, p_result jsonb) RETURNS void
LANGUAGE sql AS $$
  UPDATE idempotency_keys
     SET status = (p_result->>'status')::integer, response = p_result->'body'
   WHERE principal = p_principal AND key = p_key AND p_key IS NOT NULL
$$;

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
CREATE FUNCTION nb_place_bids(p_auction bigint, p_bids jsonb) RETURNS jsonb
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
  -- Lock 1: the auction row.
  SELECT * INTO a FROM auctions WHERE id = p_auction FOR UPDATE;
  IF NOT FOUND THEN
    SELECT coalesce(jsonb_agg(nb_err(404, 'NOT_FOUND', jsonb_build_object('auction', p_auction))), '[]')
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
      res := nb_idem_claim('user:' || req.bidder, req.key, req.hash);
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
      res := nb_err(404, 'NOT_FOUND', jsonb_build_object('user', req.bidder));
    ELSIF a.status <> 'open' OR now() >= a.ends_at THEN
      res := nb_err(409, 'AUCTION_CLOSED', jsonb_build_object('status', a.status));
    ELSIF req.bidder = a.seller_id THEN
      res := nb_err(422, 'SELF_BID');
    ELSIF v_min IS NULL OR req.amount < v_min THEN
      res := nb_err(422, 'BID_TOO_LOW', jsonb_build_object('minimum', v_min));
    ELSE
      v_avail := ubal[bi] - uheld[bi]
               + CASE WHEN a.leader_id = req.bidder THEN a.current_price ELSE 0 END;
      IF v_avail < req.amount THEN
        res := nb_err(422, 'INSUFFICIENT_FUNDS', jsonb_build_object('available', v_avail));
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

      res := jsonb_build_object('status', 201, 'body', jsonb_build_object(
        'bid', jsonb_build_object('id', v_bid_id, 'auctionId', a.id, 'bidderId', req.bidder,
                                  'amount', req.amount, 'version', v_bid_version, 'at', v_at_text),
        'auction', nb_auction_json(a)));
    END IF;

    IF req.key IS NOT NULL THEN
      PERFORM nb_idem_store('user:' || req.bidder, req.key, res);
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
CREATE FUNCTION nb_place_bids_multi(p_parts jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  ids  bigint[];
  part record;
  out  jsonb[] := '{}';
BEGIN
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
    out := out || nb_place_bids(part.auction, part.bids);
  END LOOP;
  RETURN to_jsonb(out);
END
$$;

-- Buy now: the buyer pays the buy-now price at once, the seller is credited,
-- the leader's hold is released, the auction is sold. Returns {results, events}.
CREATE FUNCTION nb_buy_now(p_auction bigint, p_buyer bigint, p_key text, p_hash text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  a          auctions%ROWTYPE;
  v_prev     bigint;
  v_released bigint;
  v_price    bigint;
  v_avail    bigint;
  v_buyer    users%ROWTYPE;
  v_at       timestamptz;
  v_private  jsonb;
  v_payload  jsonb;
  v_balances jsonb;
  res        jsonb;
BEGIN
  -- Lock 1: the auction row.
  SELECT * INTO a FROM auctions WHERE id = p_auction FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('results', jsonb_build_array(
      nb_err(404, 'NOT_FOUND', jsonb_build_object('auction', p_auction))), 'events', '[]'::jsonb);
  END IF;
  -- Lock 2: buyer, seller and current leader, ascending id.
  PERFORM 1 FROM users
    WHERE id IN (p_buyer, a.seller_id, a.leader_id)
    ORDER BY id FOR UPDATE;
  -- Lock 3: the idempotency key.
  res := nb_idem_claim('user:' || p_buyer, p_key, p_hash);
  IF res IS NOT NULL THEN
    RETURN jsonb_build_object('results', jsonb_build_array(res), 'events', '[]'::jsonb);
  END IF;

  v_price := a.buy_now_price;
  SELECT * INTO v_buyer FROM users WHERE id = p_buyer;
  IF NOT FOUND THEN
    res := nb_err(404, 'NOT_FOUND', jsonb_build_object('user', p_buyer));
  ELSIF a.status <> 'open' OR now() >= a.ends_at THEN
    res := nb_err(409, 'AUCTION_CLOSED', jsonb_build_object('status', a.status));
  ELSIF p_buyer = a.seller_id THEN
    res := nb_err(422, 'SELF_BID');
  ELSIF v_price IS NULL OR (a.current_price IS NOT NULL AND a.current_price >= v_price) THEN
    res := nb_err(409, 'BUY_NOW_UNAVAILABLE',
                  jsonb_build_object('buyNowPrice', v_price, 'currentPrice', a.current_price));
  ELSE
    v_avail := v_buyer.balance - v_buyer.held
             + CASE WHEN a.leader_id = p_buyer THEN a.current_price ELSE 0 END;
    IF v_avail < v_price THEN
      res := nb_err(422, 'INSUFFICIENT_FUNDS', jsonb_build_object('available', v_avail));
    END IF;
  END IF;

  IF res IS NULL THEN
    v_prev := a.leader_id;
    v_released := a.current_price;
    v_at := clock_timestamp();
    v_balances := '[]';
    IF v_prev IS NOT NULL THEN
      UPDATE users SET held = held - v_released WHERE id = v_prev;
      INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held, auction_id)
      VALUES (v_prev, 'release', v_released, 0, -v_released, a.id);
    END IF;
    UPDATE users SET balance = balance - v_price WHERE id = p_buyer;
    INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held, auction_id)
    VALUES (p_buyer, 'charge', v_price, -v_price, 0, a.id);
    UPDATE users SET balance = balance + v_price WHERE id = a.seller_id;
    INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held, auction_id)
    VALUES (a.seller_id, 'payout', v_price, v_price, 0, a.id);

    a.status := 'sold';
    a.current_price := v_price;
    a.leader_id := p_buyer;
    a.version := a.version + 1;
    a.settled_at := v_at;
    UPDATE auctions
       SET status = a.status, current_price = a.current_price, leader_id = a.leader_id,
           version = a.version, settled_at = a.settled_at
     WHERE id = a.id;

    SELECT jsonb_agg(jsonb_build_object('userId', id, 'balance', balance, 'held', held) ORDER BY id)
      INTO v_balances FROM users WHERE id IN (p_buyer, a.seller_id, v_prev);
    v_private := jsonb_build_object('balances', v_balances);
    IF v_prev IS NOT NULL AND v_prev <> p_buyer THEN
      v_private := v_private
        || jsonb_build_object('outbid', jsonb_build_object('userId', v_prev, 'released', v_released));
    END IF;
    v_payload := jsonb_build_object('type', 'sold', 'auction', a.id, 'version', a.version,
      'at', nb_iso(v_at), 'status', 'sold', 'buyerId', p_buyer, 'price', v_price,
      'leaderId', p_buyer, 'previousLeaderId', v_prev, 'endsAt', nb_iso(a.ends_at));
    INSERT INTO events (auction_id, version, type, payload, private, created_at)
    VALUES (a.id, a.version, 'sold', v_payload, v_private, v_at);
    res := jsonb_build_object('status', 200, 'body', jsonb_build_object('auction', nb_auction_json(a)));
    PERFORM nb_idem_store('user:' || p_buyer, p_key, res);
    RETURN jsonb_build_object('results', jsonb_build_array(res), 'events',
      jsonb_build_array(jsonb_build_object('payload', v_payload, 'private', v_private)));
  END IF;

  PERFORM nb_idem_store('user:' || p_buyer, p_key, res);
  RETURN jsonb_build_object('results', jsonb_build_array(res), 'events', '[]'::jsonb);
END
$$;

-- Cancels an open auction before its end. The seller may cancel while nobody
-- has bid; an admin (p_caller NULL) may cancel with bids, releasing the leader's hold.
CREATE FUNCTION nb_cancel(p_auction bigint, p_caller bigint, p_key text, p_hash text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  a          auctions%ROWTYPE;
  v_prev     bigint;
  v_released bigint;
  v_at       timestamptz;
  v_private  jsonb;
  v_payload  jsonb;
  v_principal text := CASE WHEN p_caller IS NULL THEN 'admin' ELSE 'user:' || p_caller END;
  res        jsonb;
BEGIN
  -- Lock 1: the auction row.
  SELECT * INTO a FROM auctions WHERE id = p_auction FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('results', jsonb_build_array(
      nb_err(404, 'NOT_FOUND', jsonb_build_object('auction', p_auction))), 'events', '[]'::jsonb);
  END IF;
  -- Lock 2: the caller and the leader, ascending id.
  PERFORM 1 FROM users WHERE id IN (p_caller, a.leader_id) ORDER BY id FOR UPDATE;
  -- Lock 3: the idempotency key.
  res := nb_idem_claim(v_principal, p_key, p_hash);
  IF res IS NOT NULL THEN
    RETURN jsonb_build_object('results', jsonb_build_array(res), 'events', '[]'::jsonb);
  END IF;

  IF p_caller IS NOT NULL AND p_caller <> a.seller_id THEN
    res := nb_err(403, 'FORBIDDEN');
  -- Past its end an auction belongs to the closer: its leader has already won.
  ELSIF a.status <> 'open' OR now() >= a.ends_at THEN
    res := nb_err(409, 'AUCTION_CLOSED', jsonb_build_object('status', a.status));
  ELSIF p_caller IS NOT NULL AND a.bid_count > 0 THEN
    res := nb_err(409, 'CANNOT_CANCEL', jsonb_build_object('bidCount', a.bid_count));
  END IF;

  IF res IS NULL THEN
    v_prev := a.leader_id;
    v_released := a.current_price;
    v_at := clock_timestamp();
    v_private := NULL;
    IF v_prev IS NOT NULL THEN
      UPDATE users SET held = held - v_released WHERE id = v_prev;
      INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held, auction_id)
      VALUES (v_prev, 'release', v_released, 0, -v_released, a.id);
      SELECT jsonb_build_object(
               'outbid', jsonb_build_object('userId', v_prev, 'released', v_released),
               'balances', jsonb_build_array(jsonb_build_object('userId', id, 'balance', balance, 'held', held)))
        INTO v_private FROM users WHERE id = v_prev;
    END IF;
    a.status := 'cancelled';
    a.version := a.version + 1;
    a.settled_at := v_at;
    UPDATE auctions SET status = a.status, version = a.version, settled_at = a.settled_at WHERE id = a.id;
    v_payload := jsonb_build_object('type', 'cancelled', 'auction', a.id, 'version', a.version,
      'at', nb_iso(v_at), 'status', 'cancelled', 'previousLeaderId', v_prev, 'endsAt', nb_iso(a.ends_at));
    INSERT INTO events (auction_id, version, type, payload, private, created_at)
    VALUES (a.id, a.version, 'cancelled', v_payload, v_private, v_at);
    res := jsonb_build_object('status', 200, 'body', jsonb_build_object('auction', nb_auction_json(a)));
    PERFORM nb_idem_store(v_principal, p_key, res);
    RETURN jsonb_build_object('results', jsonb_build_array(res), 'events',
      jsonb_build_array(jsonb_build_object('payload', v_payload, 'private', v_private)));
  END IF;

  PERFORM nb_idem_store(v_principal, p_key, res);
  RETURN jsonb_build_object('results', jsonb_build_array(res), 'events', '[]'::jsonb);
END
$$;

-- Settles up to p_limit auctions past their end: the winner's hold becomes a
-- charge and the seller is paid (closed), or nothing moves (unsold).
-- SKIP LOCKED lets several daemons' closers run at once without settling one
-- auction twice or waiting on each other. Returns {events}.
CREATE FUNCTION nb_settle_due(p_limit integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  ids        bigint[];
  a          auctions%ROWTYPE;
  v_at       timestamptz;
  v_private  jsonb;
  v_payload  jsonb;
  events     jsonb := '[]';
BEGIN
  -- Lock 1: the due auction rows, ascending id, skipping rows others hold.
  SELECT array_agg(id ORDER BY id) INTO ids
    FROM (SELECT id FROM auctions
           WHERE status = 'open' AND ends_at <= now()
           ORDER BY id LIMIT p_limit
           FOR UPDATE SKIP LOCKED) due;
  IF ids IS NULL THEN
    RETURN jsonb_build_object('events', events);
  END IF;
  -- Lock 2: every winner and seller involved, ascending id.
  PERFORM 1 FROM users
    WHERE id = ANY (ARRAY(SELECT seller_id FROM auctions WHERE id = ANY (ids))
                    || ARRAY(SELECT leader_id FROM auctions WHERE id = ANY (ids) AND leader_id IS NOT NULL))
    ORDER BY id FOR UPDATE;

  FOR a IN SELECT * FROM auctions WHERE id = ANY (ids) ORDER BY id LOOP
    v_at := clock_timestamp();
    a.version := a.version + 1;
    IF a.leader_id IS NULL THEN
      UPDATE auctions SET status = 'unsold', version = a.version, settled_at = v_at WHERE id = a.id;
      v_private := NULL;
      v_payload := jsonb_build_object('type', 'closed', 'auction', a.id, 'version', a.version,
        'at', nb_iso(v_at), 'status', 'unsold', 'winnerId', NULL, 'price', NULL,
        'endsAt', nb_iso(a.ends_at));
    ELSE
      UPDATE users SET balance = balance - a.current_price, held = held - a.current_price
       WHERE id = a.leader_id;
      INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held, auction_id)
      VALUES (a.leader_id, 'charge', a.current_price, -a.current_price, -a.current_price, a.id);
      UPDATE users SET balance = balance + a.current_price WHERE id = a.seller_id;
      INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held, auction_id)
      VALUES (a.seller_id, 'payout', a.current_price, a.current_price, 0, a.id);
      UPDATE auctions SET status = 'closed', version = a.version, settled_at = v_at WHERE id = a.id;
      SELECT jsonb_build_object('balances',
               jsonb_agg(jsonb_build_object('userId', id, 'balance', balance, 'held', held) ORDER BY id))
        INTO v_private FROM users WHERE id IN (a.leader_id, a.seller_id);
      v_payload := jsonb_build_object('type', 'closed', 'auction', a.id, 'version', a.version,
        'at', nb_iso(v_at), 'status', 'closed', 'winnerId', a.leader_id, 'price', a.current_price,
        'endsAt', nb_iso(a.ends_at));
    END IF;
    INSERT INTO events (auction_id, version, type, payload, private, created_at)
    VALUES (a.id, a.version, 'closed', v_payload, v_private, v_at);
    events := events || jsonb_build_array(jsonb_build_object('payload', v_payload, 'private', v_private));
  END LOOP;
  RETURN jsonb_build_object('events', events);
END
$$;

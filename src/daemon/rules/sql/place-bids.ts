// Bidding: a batch of bids on one auction under one lock (nb_place_bids), and
// the batches of several auctions in one transaction (nb_place_bids_multi),
// the daemon's group commit (src/daemon/rules/bid-queue.ts, docs/design.md).
// The rules are the reference model's (test/model/bid.ts; docs/rules.md):
// plain bids {amount} and maximum bids {max}, whose proxy answers at once.
//
// Lock order, everywhere: auction rows (ascending id) → user rows (ascending id)
// → idempotency keys (each claimed while its owner's user row is held).
// Checks run only after the locks are held.
//
// Each request's answer is {body}: the caller's bid, every row it made, the
// auction, whether the caller leads and their own maximum; or a refusal
// {error: {code, ...details}} (nb_err); the daemon adds its status and sentence.
import { checkCaller } from './version.js';

export default /* sql */ `
-- Writes the gathered outbox rows of a group, in the order they were made, in
-- one INSERT (the trigger on events turns their private parts into inbox
-- rows); the caller then empties its arrays. The trigger numbers each user's
-- inbox rows in the order the auctions come here, which the rows themselves do
-- not say, so it is handed over for this statement (nb.event_order).
CREATE OR REPLACE FUNCTION nb_write_events(p_auction bigint[], p_version bigint[], p_type text[], p_payload jsonb[],
                                           p_private jsonb[], p_at timestamptz[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  -- Each auction's rows come together, so the first and the last differ when there are several.
  v_several boolean := p_auction[1] <> p_auction[cardinality(p_auction)];
BEGIN
  IF v_several THEN
    PERFORM set_config('nb.event_order', p_auction::text, true);
  END IF;
  INSERT INTO events (auction_id, version, type, payload, private, created_at)
  SELECT r.auction, r.version, r.type, r.payload, r.private, r.at
    FROM unnest(p_auction, p_version, p_type, p_payload, p_private, p_at) AS r(auction, version, type, payload, private, at);
  IF v_several THEN
    PERFORM set_config('nb.event_order', '', true);
  END IF;
END
$$;

-- Places the bids of one or several auctions in one transaction, each auction's
-- in the order given: p_parts[i] are the bids on p_auctions[i] (a part).
-- nb_place_bids and nb_place_bids_multi, which the daemon calls, are its one-
-- and several-auction forms. Returns one answer per part (below), in the
-- order given.
--
-- The batches of several auctions are the daemon's group commit across auctions
-- (see docs/design.md). All the locks are taken up front, in the global order,
-- so that groups from several daemons never deadlock. The users' money is read
-- once and kept here across the parts, so a user bidding on several auctions of
-- the group is checked against the holds the earlier parts just made. The
-- outbox, auction, user, bid and ledger rows of every part are written once,
-- after the last (the trigger on the outbox numbers each user's inbox in the
-- order of the parts, nb_write_events): each statement has a fixed cost
-- (starting its plan, the constraints and foreign keys of its table, a
-- trigger), which a group of n auctions used to pay n times.
--
-- A part's bids: [{bidderId, amount, max, key?, hash?}] (max: true for a maximum bid,
-- whose amount is the maximum). A bid a rule rejects gets its own error and
-- changes nothing; the others go on. A part's answer is {results, events,
-- balances}: balances are the changes no event row carries (a leader raising
-- their own maximum moves only their hold). The inbox rows the group writes
-- are not returned: after commit, the daemon tells the users' inbox feeds,
-- which read them outside the auctions' locks (docs/design.md, "Private
-- events: handed over after commit").
--
-- One request makes zero to two bid rows: its own, and the automatic row of a
-- leader's maximum (answering it, or used up by it). Each is planned first
-- (who, how much, automatic, whether the lead moves, what its private part
-- says), then made by one loop that moves holds, versions, the soft close and
-- the events the same way for every row.
--
-- Cost is per bid, so the loops only decide and remember: answers and events
-- gather in arrays (appending to a jsonb value would copy it every time), and
-- the bid, ledger and outbox rows are written by one INSERT per table after
-- the loop (the outbox's after each part's, the others' after the last). Bid
-- ids come from the sequence as each row is made, so ids and versions still
-- follow arrival order. Idempotency keys are claimed and
-- stored inside the loop, in order, so two requests with one key in the same
-- batch still see each other.
CREATE OR REPLACE FUNCTION nb_place_bids_group(p_auctions bigint[], p_parts jsonb[], p_rules integer) RETURNS jsonb[]
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
  v_start_max bigint;
  -- The soft close's clock: now() to the millisecond, so that a later row of
  -- the same transaction finds the whole window and does not extend again.
  v_now      timestamptz := date_trunc('milliseconds', now());
  v_min      bigint;
  v_avail    bigint;
  v_leads    boolean;
  v_own      bigint;
  v_leader   bigint;
  v_lmax     bigint;
  v_price    bigint;
  v_answer   bigint;
  -- The rows one request makes, planned before they are made.
  n_rows     integer;
  v_mine     integer;
  r_bidder   bigint[];
  r_amount   bigint[];
  r_auto     boolean[];
  r_max      bigint[];
  r_lead     bigint[];
  r_lead_max bigint[];
  r_private  jsonb[];
  k          integer;
  v_prev     bigint;
  v_prev_price bigint;
  v_bid_id   bigint;
  v_bid_version bigint;
  v_at       timestamptz;
  v_at_text  text;
  v_extended boolean;
  v_touched  bigint[];
  v_user     bigint;
  v_balances jsonb[];
  v_private  jsonb;
  v_payload  jsonb;
  v_row      jsonb;
  v_own_row  jsonb;
  v_rows     jsonb[];
  res        jsonb;
  results    jsonb[];
  events     jsonb[];
  balances   jsonb[];
  -- One part: its auction and bids; the answers of all.
  pi         integer;
  v_leaders  bigint[];
  p_auction  bigint;
  p_bids     jsonb;
  out        jsonb[] := '{}';
  -- Rows to write after the last part: bids, ledger, and the auctions' new state.
  w_id       bigint[] := '{}';
  w_price    bigint[] := '{}';
  w_leader   bigint[] := '{}';
  w_max      bigint[] := '{}';
  w_count    integer[] := '{}';
  w_ends     timestamptz[] := '{}';
  w_version  bigint[] := '{}';
  b_id       bigint[] := '{}';
  b_auction  bigint[] := '{}';
  b_bidder   bigint[] := '{}';
  b_amount   bigint[] := '{}';
  b_version  bigint[] := '{}';
  b_at       timestamptz[] := '{}';
  b_auto     boolean[] := '{}';
  b_max      bigint[] := '{}';
  l_auction  bigint[] := '{}';
  l_user     bigint[] := '{}';
  l_kind     text[] := '{}';
  l_delta    bigint[] := '{}';
  l_bid      bigint[] := '{}';
  e_auction  bigint[] := '{}';
  e_version  bigint[] := '{}';
  e_type     text[] := '{}';
  e_payload  jsonb[] := '{}';
  e_private  jsonb[] := '{}';
  e_at       timestamptz[] := '{}';
BEGIN
  ${checkCaller}
  -- Lock 1: the auction rows, ascending id (one auction: its row, read here).
  IF cardinality(p_auctions) = 1 THEN
    SELECT * INTO a FROM auctions WHERE id = p_auctions[1] FOR UPDATE;
    IF NOT FOUND THEN
      SELECT coalesce(jsonb_agg(nb_err('NOT_FOUND', jsonb_build_object('auction', p_auctions[1]))), '[]')
        INTO res FROM jsonb_array_elements(p_parts[1]);
      RETURN ARRAY[jsonb_build_object('results', res, 'events', '[]'::jsonb)];
    END IF;
    v_leaders := ARRAY[a.leader_id];
  ELSE
    -- Each auction once: a part reads its auction's row as the table has it.
    IF cardinality(p_auctions) <> (SELECT count(DISTINCT x) FROM unnest(p_auctions) x) THEN
      RAISE EXCEPTION 'nb_place_bids_group: an auction in two parts';
    END IF;
    SELECT array_agg(leader_id) INTO v_leaders
      FROM (SELECT leader_id FROM auctions WHERE id = ANY (p_auctions) ORDER BY id FOR UPDATE) locked;
  END IF;

  -- Lock 2: every user the group can touch (its bidders and the current
  -- leaders), ascending id, in one statement, before any check reads them.
  -- Whoever leads later in a part is one of its bidders, so locked too.
  SELECT array_agg(id ORDER BY id), array_agg(balance ORDER BY id), array_agg(held ORDER BY id)
    INTO uid, ubal, uheld
    FROM (SELECT u.id, u.balance, u.held FROM users u
           -- (jsonb_array_elements, not unnest(p_parts): with unnest PostgreSQL planned this statement again at every call.)
           WHERE u.id = ANY (ARRAY(SELECT (x->>'bidderId')::bigint FROM jsonb_array_elements(to_jsonb(p_parts)) b, jsonb_array_elements(b) x)
                             || v_leaders)
           ORDER BY u.id
           FOR UPDATE) locked;
  uheld0 := uheld;

  -- Each auction's bids in turn. (The loop's body keeps its indentation.)
  FOR pi IN 1 .. cardinality(p_auctions) LOOP
  p_auction := p_auctions[pi];
  p_bids := p_parts[pi];
  IF cardinality(p_auctions) > 1 THEN
    SELECT * INTO a FROM auctions WHERE id = p_auction;
    IF NOT FOUND THEN
      SELECT coalesce(jsonb_agg(nb_err('NOT_FOUND', jsonb_build_object('auction', p_auction))), '[]')
        INTO res FROM jsonb_array_elements(p_bids);
      out := out || jsonb_build_object('results', res, 'events', '[]'::jsonb);
      CONTINUE;
    END IF;
  END IF;
  v_start_version := a.version;
  v_start_max := a.leader_max;
  results := '{}';
  events := '{}';
  balances := '{}';

  FOR req IN
    SELECT (e->>'bidderId')::bigint AS bidder, (e->>'amount')::bigint AS amount,
           coalesce((e->>'max')::boolean, false) AS is_max, e->>'key' AS key, e->>'hash' AS hash
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

    -- Every check uses only what the bidder may know: the public price, their
    -- own maximum and their own funds. The leader's hidden maximum decides
    -- what a bid does, never whether it is accepted.
    bi := array_position(uid, req.bidder);
    v_min := nb_min_next_bid(a);
    v_leads := a.leader_id IS NOT NULL AND a.leader_id = req.bidder;
    v_own := CASE WHEN v_leads THEN a.leader_max ELSE 0 END;
    IF bi IS NULL THEN
      res := nb_err('NOT_FOUND', jsonb_build_object('user', req.bidder));
    ELSIF a.status <> 'open' OR now() >= a.ends_at THEN
      res := nb_err('AUCTION_CLOSED', jsonb_build_object('status', a.status));
    ELSIF req.bidder = a.seller_id THEN
      res := nb_err('SELF_BID');
    ELSIF v_leads AND req.is_max THEN
      -- A leader's new maximum must beat the public minimum and their own maximum: it is never lowered.
      IF v_min IS NULL OR req.amount < greatest(v_min, v_own + 1) THEN
        res := nb_err('BID_TOO_LOW', jsonb_build_object('minimum', CASE WHEN v_min IS NOT NULL THEN greatest(v_min, v_own + 1) END, 'yourMax', v_own));
      END IF;
    ELSIF v_min IS NULL OR req.amount < v_min THEN
      res := nb_err('BID_TOO_LOW', jsonb_build_object('minimum', v_min));
    END IF;
    IF res IS NULL THEN
      -- The whole maximum must be there (plus the bidder's own hold here), so
      -- that an automatic raise can never fail for money.
      v_avail := ubal[bi] - uheld[bi] + v_own;
      IF v_avail < req.amount THEN
        res := nb_err('INSUFFICIENT_FUNDS', jsonb_build_object('available', v_avail));
      END IF;
    END IF;

    IF res IS NULL THEN
      -- Plan the rows (test/model/bid.ts, challenge and raiseOwnMax).
      n_rows := 0;
      v_mine := NULL;
      r_bidder := '{}'; r_amount := '{}'; r_auto := '{}'; r_max := '{}';
      r_lead := '{}'; r_lead_max := '{}'; r_private := '{}';
      v_leader := a.leader_id;
      v_lmax := a.leader_max;
      IF v_leader IS NULL THEN
        -- The first bid: a maximum opens at the start price (or the reserve it reaches).
        n_rows := 1; v_mine := 1;
        r_bidder[1] := req.bidder;
        r_amount[1] := CASE WHEN req.is_max THEN nb_with_reserve(a, a.start_price, req.amount) ELSE req.amount END;
        r_auto[1] := false;
        r_max[1] := CASE WHEN req.is_max THEN req.amount END;
        r_lead[1] := req.bidder; r_lead_max[1] := req.amount;
      ELSIF NOT v_leads AND req.amount > v_lmax THEN
        -- Above the leader's maximum: that maximum is used up and shows as the
        -- leader's automatic bid at its full amount (unless the price is already
        -- there), then the challenger leads: a maximum one step over the old
        -- maximum (or less, if that is all it has), lifted to the reserve it
        -- reaches; a plain bid at its amount.
        IF v_lmax > a.current_price THEN
          n_rows := 1;
          r_bidder[1] := v_leader; r_amount[1] := v_lmax; r_auto[1] := true; r_max[1] := v_lmax;
          r_lead[1] := NULL; r_lead_max[1] := NULL;
          r_private[1] := jsonb_build_object('maxExhausted', jsonb_build_object('userId', v_leader, 'max', v_lmax));
        END IF;
        n_rows := n_rows + 1; v_mine := n_rows;
        r_bidder[n_rows] := req.bidder;
        r_amount[n_rows] := CASE WHEN req.is_max
          THEN nb_with_reserve(a, least(req.amount, v_lmax + nb_step_at(a, v_lmax)), req.amount) ELSE req.amount END;
        r_auto[n_rows] := false;
        r_max[n_rows] := CASE WHEN req.is_max THEN req.amount END;
        r_lead[n_rows] := req.bidder; r_lead_max[n_rows] := req.amount;
        r_private[n_rows] := jsonb_build_object('outbid', jsonb_build_object('userId', v_leader, 'released', v_lmax,
                                                 'by', CASE WHEN req.is_max THEN 'max' ELSE 'bid' END));
      ELSIF NOT v_leads THEN
        -- At or below the leader's maximum: the bid stands (a maximum is used up
        -- at its full amount) and the maximum answers one step above it, never
        -- above itself. A tie goes to the leader, whose maximum came first.
        v_answer := least(req.amount + nb_step_at(a, req.amount), v_lmax);
        n_rows := 2; v_mine := 1;
        r_bidder[1] := req.bidder; r_amount[1] := req.amount; r_auto[1] := false;
        r_max[1] := CASE WHEN req.is_max THEN req.amount END;
        r_lead[1] := NULL; r_lead_max[1] := NULL; r_private[1] := NULL;
        r_bidder[2] := v_leader; r_amount[2] := v_answer; r_auto[2] := true; r_max[2] := v_lmax;
        r_lead[2] := NULL; r_lead_max[2] := NULL;
        r_private[2] := jsonb_build_object('maxRaised', jsonb_build_object('userId', v_leader, 'max', v_lmax))
          || CASE WHEN v_answer = v_lmax
               THEN jsonb_build_object('maxExhausted', jsonb_build_object('userId', v_leader, 'max', v_lmax))
               ELSE '{}'::jsonb END
          || jsonb_build_object('outbid', jsonb_build_object('userId', req.bidder, 'released', 0, 'by', 'max'));
      ELSIF req.is_max THEN
        -- The leader raises their own maximum: only the hold grows (no row, no
        -- event, no extension), unless it reaches a reserve the price is below,
        -- which lifts the price to the reserve: a real bid.
        v_price := nb_with_reserve(a, a.current_price, req.amount);
        IF v_price > a.current_price THEN
          n_rows := 1; v_mine := 1;
          r_bidder[1] := req.bidder; r_amount[1] := v_price; r_auto[1] := false; r_max[1] := req.amount;
          r_lead[1] := req.bidder; r_lead_max[1] := req.amount; r_private[1] := NULL;
        ELSE
          uheld[bi] := uheld[bi] + (req.amount - a.leader_max);
          l_auction := l_auction || a.id;
          l_user := l_user || req.bidder;
          l_kind := l_kind || 'hold'::text;
          l_delta := l_delta || (req.amount - a.leader_max);
          l_bid := l_bid || NULL::bigint;
          a.leader_max := req.amount;
          balances := balances || jsonb_build_object('userId', req.bidder, 'balance', ubal[bi], 'held', uheld[bi]);
          -- No event row carries this balance: it goes to the inbox here, after the
          -- inbox events of the rows made before it (written first), so that the
          -- user's inbox keeps the order things happened in.
          IF cardinality(e_version) > 0 THEN
            PERFORM nb_write_events(e_auction, e_version, e_type, e_payload, e_private, e_at);
            e_auction := '{}'; e_version := '{}'; e_type := '{}'; e_payload := '{}'; e_private := '{}'; e_at := '{}';
          END IF;
          v_at := clock_timestamp();
          PERFORM nb_inbox_append(ARRAY[req.bidder], ARRAY[jsonb_build_object('type', 'balance', 'userId', req.bidder,
                    'balance', ubal[bi], 'held', uheld[bi], 'available', ubal[bi] - uheld[bi], 'at', nb_iso(v_at))], ARRAY[v_at]);
        END IF;
      ELSE
        -- The leader's plain bid: a visible bid at its amount (bidding against
        -- yourself, as before maxima); the hold becomes the larger of the two.
        n_rows := 1; v_mine := 1;
        r_bidder[1] := req.bidder; r_amount[1] := req.amount; r_auto[1] := false; r_max[1] := NULL;
        r_lead[1] := req.bidder; r_lead_max[1] := greatest(v_own, req.amount); r_private[1] := NULL;
      END IF;

      -- Make the planned rows.
      v_rows := '{}';
      v_own_row := NULL;
      FOR k IN 1 .. n_rows LOOP
        v_prev := a.leader_id;
        v_prev_price := a.current_price;
        v_at := clock_timestamp();
        v_at_text := nb_iso(v_at);
        v_bid_id := nextval('bids_id_seq');
        v_touched := '{}';
        IF r_lead[k] IS NOT NULL THEN
          -- The lead moves (or its maximum changes): the old leader's whole hold
          -- is released, the new leader holds their maximum.
          IF a.leader_id IS NOT NULL THEN
            li := array_position(uid, a.leader_id);
            uheld[li] := uheld[li] - a.leader_max;
            l_auction := l_auction || a.id;
            l_user := l_user || a.leader_id;
            l_kind := l_kind || 'release'::text;
            l_delta := l_delta || -a.leader_max;
            l_bid := l_bid || v_bid_id;
            v_touched := v_touched || a.leader_id;
          END IF;
          li := array_position(uid, r_lead[k]);
          uheld[li] := uheld[li] + r_lead_max[k];
          l_auction := l_auction || a.id;
          l_user := l_user || r_lead[k];
          l_kind := l_kind || 'hold'::text;
          l_delta := l_delta || r_lead_max[k];
          l_bid := l_bid || v_bid_id;
          IF NOT r_lead[k] = ANY (v_touched) THEN
            v_touched := v_touched || r_lead[k];
          END IF;
          a.leader_id := r_lead[k];
          a.leader_max := r_lead_max[k];
        END IF;
        a.current_price := r_amount[k];
        a.bid_count := a.bid_count + 1;
        a.version := a.version + 1;
        v_bid_version := a.version;
        -- Soft close: a row that moves the price or the lead inside the window
        -- moves the end to now + window. Automatic rows count. An end that would
        -- move by less than a second stays: bids a moment apart (the next
        -- transaction of a burst, milliseconds after one that extended) extend
        -- once, as the reference model's bids at one instant do, and nobody is
        -- told of an end that moved by a few milliseconds.
        v_extended := a.soft_close_sec IS NOT NULL
                  AND v_now + make_interval(secs => a.soft_close_sec) >= a.ends_at + interval '1 second'
                  AND (r_amount[k] IS DISTINCT FROM v_prev_price OR a.leader_id IS DISTINCT FROM v_prev);
        IF v_extended THEN
          a.ends_at := v_now + make_interval(secs => a.soft_close_sec);
        END IF;

        b_id := b_id || v_bid_id;
        b_auction := b_auction || a.id;
        b_bidder := b_bidder || r_bidder[k];
        b_amount := b_amount || r_amount[k];
        b_version := b_version || v_bid_version;
        b_at := b_at || v_at;
        b_auto := b_auto || r_auto[k];
        b_max := b_max || r_max[k];

        v_private := r_private[k];
        IF cardinality(v_touched) > 0 THEN
          -- Built by expressions, not a query: a statement per row was a fixed cost of every bid.
          v_balances := '{}';
          FOREACH v_user IN ARRAY v_touched LOOP
            li := array_position(uid, v_user);
            v_balances := v_balances || jsonb_build_object('userId', v_user, 'balance', ubal[li], 'held', uheld[li]);
          END LOOP;
          v_private := coalesce(v_private, '{}'::jsonb) || jsonb_build_object('balances', to_jsonb(v_balances));
        END IF;
        v_payload := jsonb_build_object('type', 'bid', 'auction', a.id, 'version', v_bid_version,
          'at', v_at_text, 'bidId', v_bid_id, 'bidderId', r_bidder[k], 'amount', r_amount[k],
          'automatic', r_auto[k], 'price', a.current_price, 'leaderId', a.leader_id,
          'previousLeaderId', v_prev, 'bidCount', a.bid_count, 'endsAt', nb_iso(a.ends_at),
          'minNextBid', nb_min_next_bid(a), 'reserveMet', nb_reserve_met(a));
        e_auction := e_auction || a.id;
        e_version := e_version || v_bid_version;
        e_type := e_type || 'bid'::text;
        e_payload := e_payload || v_payload;
        e_private := e_private || v_private;
        e_at := e_at || v_at;
        events := events || jsonb_build_object('payload', v_payload, 'private', v_private);

        IF v_extended THEN
          a.version := a.version + 1;
          v_payload := jsonb_build_object('type', 'extended', 'auction', a.id, 'version', a.version,
            'at', v_at_text, 'endsAt', nb_iso(a.ends_at), 'bidId', v_bid_id);
          e_auction := e_auction || a.id;
          e_version := e_version || a.version;
          e_type := e_type || 'extended'::text;
          e_payload := e_payload || v_payload;
          e_private := e_private || NULL::jsonb;
          e_at := e_at || v_at;
          events := events || jsonb_build_object('payload', v_payload);
        END IF;

        v_row := jsonb_build_object('id', v_bid_id, 'auctionId', a.id, 'bidderId', r_bidder[k],
                                    'amount', r_amount[k], 'version', v_bid_version, 'at', v_at_text,
                                    'automatic', r_auto[k]);
        v_rows := v_rows || v_row;
        IF k = v_mine THEN
          v_own_row := v_row;
        END IF;
      END LOOP;

      res := jsonb_build_object('body', jsonb_build_object(
        'bid', v_own_row,
        'bids', to_jsonb(v_rows),
        'auction', nb_auction_json(a, p_rules),
        'leading', a.leader_id = req.bidder,
        -- The caller's own maximum, in the caller's own answer only.
        'yourMax', CASE WHEN a.leader_id = req.bidder THEN a.leader_max END));
    END IF;

    IF req.key IS NOT NULL THEN
      PERFORM nb_idem_store('user:' || req.bidder, req.key, res, p_rules);
    END IF;
    results := results || res;
  END LOOP;

  IF cardinality(p_auctions) > 1 AND (a.version <> v_start_version OR a.leader_max IS DISTINCT FROM v_start_max) THEN
    w_id := w_id || a.id;
    w_price := w_price || a.current_price;
    w_leader := w_leader || a.leader_id;
    w_max := w_max || a.leader_max;
    w_count := w_count || a.bid_count;
    w_ends := w_ends || a.ends_at;
    w_version := w_version || a.version;
  END IF;
  out := out || jsonb_build_object('results', to_jsonb(results), 'events', to_jsonb(events), 'balances', to_jsonb(balances));
  END LOOP;

  -- The outbox rows of every part, in one INSERT: each statement has a fixed
  -- cost (its plan, the trigger's query over its rows, the inbox append), which
  -- a group of n auctions used to pay n times.
  IF cardinality(e_version) > 0 THEN
    PERFORM nb_write_events(e_auction, e_version, e_type, e_payload, e_private, e_at);
  END IF;

  IF cardinality(p_auctions) = 1 AND (a.version <> v_start_version OR a.leader_max IS DISTINCT FROM v_start_max) THEN
    -- One auction: its row as it is here (a join with the arrays below costs a little more).
    UPDATE auctions
       SET current_price = a.current_price, leader_id = a.leader_id, leader_max = a.leader_max,
           bid_count = a.bid_count, ends_at = a.ends_at, version = a.version
     WHERE id = a.id;
  ELSIF cardinality(w_id) > 0 THEN
    UPDATE auctions t
       SET current_price = w.price, leader_id = w.leader, leader_max = w.lmax,
           bid_count = w.bid_count, ends_at = w.ends_at, version = w.version
      FROM unnest(w_id, w_price, w_leader, w_max, w_count, w_ends, w_version)
           AS w(id, price, leader, lmax, bid_count, ends_at, version)
     WHERE t.id = w.id;
  END IF;
  IF cardinality(b_id) > 0 OR cardinality(l_user) > 0 THEN
    UPDATE users u SET held = c.held
      FROM unnest(uid, uheld, uheld0) AS c(id, held, held0)
     WHERE u.id = c.id AND c.held <> c.held0;
    INSERT INTO bids (id, auction_id, bidder_id, amount, version, created_at, automatic, max_amount)
    SELECT r.id, r.auction, r.bidder, r.amount, r.version, r.at, r.auto, r.max
      FROM unnest(b_id, b_auction, b_bidder, b_amount, b_version, b_at, b_auto, b_max)
           AS r(id, auction, bidder, amount, version, at, auto, max);
    INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held, auction_id, bid_id)
    SELECT r.user_id, r.kind, abs(r.delta), 0, r.delta, r.auction, r.bid_id
      FROM unnest(l_user, l_kind, l_delta, l_auction, l_bid) WITH ORDINALITY AS r(user_id, kind, delta, auction, bid_id, ord)
     ORDER BY r.ord;
  END IF;
  RETURN out;
END
$$;

-- Places a batch of bids on one auction, in the order given, under one lock:
-- the group of one part. Returns {results, events, balances} (see above).
CREATE OR REPLACE FUNCTION nb_place_bids(p_auction bigint, p_bids jsonb, p_rules integer) RETURNS jsonb
LANGUAGE sql AS $$
  SELECT (nb_place_bids_group(ARRAY[p_auction], ARRAY[p_bids], p_rules))[1]
$$;

-- Places the bids of several auctions in one transaction (the daemon's group
-- commit across auctions): p_parts [{auction, bids}]. Returns one answer per
-- part, in the order given.
CREATE OR REPLACE FUNCTION nb_place_bids_multi(p_parts jsonb, p_rules integer) RETURNS jsonb
LANGUAGE sql AS $$
  SELECT to_jsonb(nb_place_bids_group(
    ARRAY(SELECT (e->>'auction')::bigint FROM jsonb_array_elements(p_parts) WITH ORDINALITY AS t(e, ord) ORDER BY ord),
    ARRAY(SELECT e->'bids' FROM jsonb_array_elements(p_parts) WITH ORDINALITY AS t(e, ord) ORDER BY ord),
    p_rules))
$$;
`;

// Buy now: the buyer pays the buy-now price at once and the auction is sold,
// while the auction's buy_now_until still offers it (test/model/buy.ts).
// Lock order as everywhere: the auction row → user rows (ascending id) → the
// idempotency key.
import { lockAuction } from './lock-auction.js';
import { checkCaller } from './version.js';

export default /* sql */ `
-- Buy now: the buyer pays the buy-now price at once, the seller is credited,
-- the leader's hold is released, the auction is sold. Returns {results, events}.
CREATE OR REPLACE FUNCTION nb_buy_now(p_auction bigint, p_buyer bigint, p_key text, p_hash text, p_rules integer) RETURNS jsonb
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
  ${checkCaller}
  ${lockAuction}
  -- Lock 2: buyer, seller and current leader, ascending id.
  PERFORM 1 FROM users
    WHERE id IN (p_buyer, a.seller_id, a.leader_id)
    ORDER BY id FOR UPDATE;
  -- Lock 3: the idempotency key.
  res := nb_idem_claim('user:' || p_buyer, p_key, p_hash, p_rules);
  IF res IS NOT NULL THEN
    RETURN nb_one_answer(res);
  END IF;

  v_price := a.buy_now_price;
  SELECT * INTO v_buyer FROM users WHERE id = p_buyer;
  IF NOT FOUND THEN
    res := nb_err('NOT_FOUND', jsonb_build_object('user', p_buyer));
  ELSIF a.status <> 'open' OR now() >= a.ends_at THEN
    res := nb_err('AUCTION_CLOSED', jsonb_build_object('status', a.status));
  ELSIF p_buyer = a.seller_id THEN
    res := nb_err('SELF_BID');
  ELSIF nb_buy_now_refusal(a) IS NOT NULL THEN
    res := nb_err('BUY_NOW_UNAVAILABLE', jsonb_build_object('reason', nb_buy_now_refusal(a), 'buyNowUntil', a.buy_now_until,
                  'buyNowPrice', v_price, 'currentPrice', a.current_price));
  ELSE
    -- The buyer's own hold here (their maximum, if they lead) is released first, so it counts.
    v_avail := v_buyer.balance - v_buyer.held
             + CASE WHEN a.leader_id = p_buyer THEN a.leader_max ELSE 0 END;
    IF v_avail < v_price THEN
      res := nb_err('INSUFFICIENT_FUNDS', jsonb_build_object('available', v_avail));
    END IF;
  END IF;

  IF res IS NULL THEN
    v_prev := a.leader_id;
    v_released := a.leader_max;
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
    a.leader_max := NULL;
    a.version := a.version + 1;
    a.settled_at := v_at;
    UPDATE auctions
       SET status = a.status, current_price = a.current_price, leader_id = a.leader_id, leader_max = NULL,
           version = a.version, settled_at = a.settled_at
     WHERE id = a.id;

    SELECT jsonb_agg(jsonb_build_object('userId', id, 'balance', balance, 'held', held) ORDER BY id)
      INTO v_balances FROM users WHERE id IN (p_buyer, a.seller_id, v_prev);
    v_private := jsonb_build_object('balances', v_balances);
    IF v_prev IS NOT NULL AND v_prev <> p_buyer THEN
      v_private := v_private
        || jsonb_build_object('outbid', jsonb_build_object('userId', v_prev, 'released', v_released, 'by', 'buyNow'));
    END IF;
    v_payload := jsonb_build_object('type', 'sold', 'auction', a.id, 'version', a.version,
      'at', nb_iso(v_at), 'status', 'sold', 'buyerId', p_buyer, 'price', v_price,
      'leaderId', p_buyer, 'previousLeaderId', v_prev, 'endsAt', nb_iso(a.ends_at));
    INSERT INTO events (auction_id, version, type, payload, private, created_at)
    VALUES (a.id, a.version, 'sold', v_payload, v_private, v_at);
    res := jsonb_build_object('body', jsonb_build_object('auction', nb_auction_json(a, p_rules)));
    PERFORM nb_idem_store('user:' || p_buyer, p_key, res, p_rules);
    RETURN nb_one_answer(res, jsonb_build_array(jsonb_build_object('payload', v_payload, 'private', v_private)));
  END IF;

  PERFORM nb_idem_store('user:' || p_buyer, p_key, res, p_rules);
  RETURN nb_one_answer(res);
END
$$;
`;

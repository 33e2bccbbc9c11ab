// Settlement at the end: the closer's one rule. Lock order as everywhere:
// auction rows (ascending id, skipping those others hold) → user rows (ascending id).
import { checkCaller } from './version.js';

export default /* sql */ `
-- Settles up to p_limit auctions past their end (test/model/close.ts, settleOne):
-- no bids → unsold (no_bids); price below the reserve → unsold
-- (reserve_not_met), the leader's hold released; else closed: the winner pays
-- the price (not their maximum), the rest of the hold is released, the seller
-- is paid. SKIP LOCKED lets several daemons' closers run at once without
-- settling one auction twice or waiting on each other. Returns {events}.
CREATE OR REPLACE FUNCTION nb_settle_due(p_limit integer, p_rules integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  ids        bigint[];
  a          auctions%ROWTYPE;
  v_at       timestamptz;
  v_reason   text;
  v_rest     bigint;
  v_private  jsonb;
  v_payload  jsonb;
  events     jsonb := '[]';
BEGIN
  ${checkCaller}
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
    v_private := NULL;
    v_reason := CASE
      WHEN a.leader_id IS NULL THEN 'no_bids'
      WHEN a.reserve_price IS NOT NULL AND a.current_price < a.reserve_price THEN 'reserve_not_met'
    END;
    IF v_reason IS NOT NULL THEN
      IF a.leader_id IS NOT NULL THEN
        UPDATE users SET held = held - a.leader_max WHERE id = a.leader_id;
        INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held, auction_id)
        VALUES (a.leader_id, 'release', a.leader_max, 0, -a.leader_max, a.id);
        SELECT jsonb_build_object('balances', jsonb_build_array(
                 jsonb_build_object('userId', id, 'balance', balance, 'held', held)))
          INTO v_private FROM users WHERE id = a.leader_id;
      END IF;
      UPDATE auctions SET status = 'unsold', unsold_reason = v_reason, leader_max = NULL,
                          version = a.version, settled_at = v_at
       WHERE id = a.id;
      v_payload := jsonb_build_object('type', 'closed', 'auction', a.id, 'version', a.version,
        'at', nb_iso(v_at), 'status', 'unsold', 'winnerId', NULL, 'price', NULL, 'reason', v_reason,
        'endsAt', nb_iso(a.ends_at));
    ELSE
      -- The hold was the maximum: what is above the price goes back, the price is charged.
      v_rest := a.leader_max - a.current_price;
      IF v_rest > 0 THEN
        INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held, auction_id)
        VALUES (a.leader_id, 'release', v_rest, 0, -v_rest, a.id);
      END IF;
      UPDATE users SET balance = balance - a.current_price, held = held - a.leader_max
       WHERE id = a.leader_id;
      INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held, auction_id)
      VALUES (a.leader_id, 'charge', a.current_price, -a.current_price, -a.current_price, a.id);
      UPDATE users SET balance = balance + a.current_price WHERE id = a.seller_id;
      INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held, auction_id)
      VALUES (a.seller_id, 'payout', a.current_price, a.current_price, 0, a.id);
      UPDATE auctions SET status = 'closed', leader_max = NULL, version = a.version, settled_at = v_at WHERE id = a.id;
      SELECT jsonb_build_object('balances',
               jsonb_agg(jsonb_build_object('userId', id, 'balance', balance, 'held', held) ORDER BY id))
        INTO v_private FROM users WHERE id IN (a.leader_id, a.seller_id);
      v_payload := jsonb_build_object('type', 'closed', 'auction', a.id, 'version', a.version,
        'at', nb_iso(v_at), 'status', 'closed', 'winnerId', a.leader_id, 'price', a.current_price,
        'reason', NULL, 'endsAt', nb_iso(a.ends_at));
    END IF;
    INSERT INTO events (auction_id, version, type, payload, private, created_at)
    VALUES (a.id, a.version, 'closed', v_payload, v_private, v_at);
    events := events || jsonb_build_array(jsonb_build_object('payload', v_payload, 'private', v_private));
  END LOOP;
  RETURN jsonb_build_object('events', events);
END
$$;
`;

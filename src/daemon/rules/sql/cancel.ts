// Cancelling an auction: the seller while nobody has bid, the admin at any
// time. Lock order as everywhere: the auction row → user rows (ascending id) →
// the idempotency key.
import { lockAuction } from './lock-auction.js';
import { checkCaller } from './version.js';

export default /* sql */ `
-- Cancels an open auction before its end. The seller may cancel while nobody
-- has bid; an admin (p_caller NULL) may cancel with bids, releasing the leader's hold.
CREATE OR REPLACE FUNCTION nb_cancel(p_auction bigint, p_caller bigint, p_key text, p_hash text, p_rules integer) RETURNS jsonb
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
  ${checkCaller}
  ${lockAuction}
  -- Lock 2: the caller and the leader, ascending id.
  PERFORM 1 FROM users WHERE id IN (p_caller, a.leader_id) ORDER BY id FOR UPDATE;
  -- Lock 3: the idempotency key.
  res := nb_idem_claim(v_principal, p_key, p_hash, p_rules);
  IF res IS NOT NULL THEN
    RETURN nb_one_answer(res);
  END IF;

  IF p_caller IS NOT NULL AND p_caller <> a.seller_id THEN
    res := nb_err('FORBIDDEN');
  -- Past its end an auction belongs to the closer: its leader has already won.
  ELSIF a.status <> 'open' OR now() >= a.ends_at THEN
    res := nb_err('AUCTION_CLOSED', jsonb_build_object('status', a.status));
  ELSIF p_caller IS NOT NULL AND a.bid_count > 0 THEN
    res := nb_err('CANNOT_CANCEL', jsonb_build_object('bidCount', a.bid_count));
  END IF;

  IF res IS NULL THEN
    v_prev := a.leader_id;
    v_released := a.leader_max;
    v_at := clock_timestamp();
    v_private := NULL;
    IF v_prev IS NOT NULL THEN
      UPDATE users SET held = held - v_released WHERE id = v_prev;
      INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held, auction_id)
      VALUES (v_prev, 'release', v_released, 0, -v_released, a.id);
      SELECT jsonb_build_object(
               'outbid', jsonb_build_object('userId', v_prev, 'released', v_released, 'by', 'cancel'),
               'balances', jsonb_build_array(jsonb_build_object('userId', id, 'balance', balance, 'held', held)))
        INTO v_private FROM users WHERE id = v_prev;
    END IF;
    a.status := 'cancelled';
    a.leader_max := NULL;
    a.version := a.version + 1;
    a.settled_at := v_at;
    UPDATE auctions SET status = a.status, leader_max = NULL, version = a.version, settled_at = a.settled_at WHERE id = a.id;
    v_payload := jsonb_build_object('type', 'cancelled', 'auction', a.id, 'version', a.version,
      'at', nb_iso(v_at), 'status', 'cancelled', 'previousLeaderId', v_prev, 'endsAt', nb_iso(a.ends_at));
    INSERT INTO events (auction_id, version, type, payload, private, created_at)
    VALUES (a.id, a.version, 'cancelled', v_payload, v_private, v_at);
    res := jsonb_build_object('body', jsonb_build_object('auction', nb_auction_json(a, p_rules)));
    PERFORM nb_idem_store(v_principal, p_key, res, p_rules);
    RETURN nb_one_answer(res, jsonb_build_array(jsonb_build_object('payload', v_payload, 'private', v_private)));
  END IF;

  PERFORM nb_idem_store(v_principal, p_key, res, p_rules);
  RETURN nb_one_answer(res);
END
$$;
`;

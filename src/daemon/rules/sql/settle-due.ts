// Settlement at the end: the closer's one rule. Lock order as everywhere:
// auction rows (ascending id, skipping those others hold) → user rows (ascending id).
import { checkCaller } from './version.js';

export default /* sql */ `
-- Settles up to p_limit auctions past their end: the winner's hold becomes a
-- charge and the seller is paid (closed), or nothing moves (unsold).
-- SKIP LOCKED lets several daemons' closers run at once without settling one
-- auction twice or waiting on each other. Returns {events}.
CREATE OR REPLACE FUNCTION nb_settle_due(p_limit integer, p_rules integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  ids        bigint[];
  a          auctions%ROWTYPE;
  v_at       timestamptz;
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
`;

// Idempotency keys, for the SQL rules and the TypeScript ones alike
// (src/daemon/rules/idempotency.ts): a retry with the same key and request
// gets the first answer; the same key with another request is IDEMPOTENCY_CONFLICT.
import { checkCaller } from './version.js';

export default /* sql */ `
-- Claims an idempotency key for this transaction. NULL: the key is ours, go on.
-- Otherwise the stored answer to replay ({body, replayed}) or a conflict.
-- A concurrent claim of the same key waits here until its transaction ends.
CREATE OR REPLACE FUNCTION nb_idem_claim(p_principal text, p_key text, p_hash text, p_rules integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  r idempotency_keys%ROWTYPE;
BEGIN
  ${checkCaller}
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
    RETURN nb_err('IDEMPOTENCY_CONFLICT');
  END IF;
  RETURN jsonb_build_object('body', r.response, 'replayed', true);
END
$$;

-- Stores the answer ({body}) to a claimed key.
CREATE OR REPLACE FUNCTION nb_idem_store(p_principal text, p_key text, p_answer jsonb, p_rules integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  ${checkCaller}
  UPDATE idempotency_keys
     SET response = p_answer->'body'
   WHERE principal = p_principal AND key = p_key AND p_key IS NOT NULL;
END
$$;
`;

// The first lock of a rule on one auction (buy now, cancel), written once: the
// auction's row into `a` — lock 1 of the order every rule keeps (auction rows,
// then user rows ascending, then idempotency keys) — or the rule's answer
// NOT_FOUND. Interpolated where the lock is taken, like checkCaller.
export const lockAuction = /* sql */ `-- Lock 1: the auction row.
  SELECT * INTO a FROM auctions WHERE id = p_auction FOR UPDATE;
  IF NOT FOUND THEN
    RETURN nb_one_answer(nb_err('NOT_FOUND', jsonb_build_object('auction', p_auction)));
  END IF;`;

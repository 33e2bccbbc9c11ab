-- The money in the system, on one row. Money only enters by deposits (a new
-- user's opening balance is one); bids, holds and settlement move it between
-- users. Capping the total at 2^53 − 1 keeps every sum the audit reports a
-- safe integer in JSON, and one row lets a deposit check the cap without
-- summing every balance. Deposits are rare admin operations, so serialising
-- them on this row costs nothing that matters; bids never touch it.
CREATE TABLE money_supply (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  total     bigint NOT NULL,
  CONSTRAINT money_supply_total_safe CHECK (total BETWEEN 0 AND 9007199254740991)
);
INSERT INTO money_supply (total)
SELECT coalesce(sum(amount), 0) FROM ledger WHERE kind = 'deposit';

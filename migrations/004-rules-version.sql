-- From here on the rule functions are not migrations: each lives in a file of
-- its own (src/daemon/rules/sql/) that every daemon installs at start, under the
-- migration lock, in the same transaction as the migrations. This one row says
-- which version of the rules is installed (and a hash of their text, and the
-- functions they made), so that daemons of different versions on one database
-- never silently run each other's rules. The functions of 002 stay there as
-- history; the first install replaces them.
CREATE TABLE rules_version (
  singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version      integer NOT NULL CHECK (version > 0),
  hash         text NOT NULL,
  -- The functions the installed rules made; the next install drops those it does not make again.
  functions    text[] NOT NULL,
  installed_by text NOT NULL,
  installed_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON COLUMN idempotency_keys.status IS
  'Written only before rules version 1; an answer''s status now follows from the stored answer (src/protocol/errors.ts).';

-- Tables, constraints and indexes. Money columns are BIGINT and bounded to
-- 2^53−1 so every value survives JSON as a safe integer.
CREATE TABLE users (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL,
  token_hash  bytea NOT NULL UNIQUE,
  balance     bigint NOT NULL DEFAULT 0,
  held        bigint NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_balance_nonnegative CHECK (balance >= 0),
  CONSTRAINT users_held_nonnegative CHECK (held >= 0),
  CONSTRAINT users_held_within_balance CHECK (held <= balance),
  CONSTRAINT users_balance_safe CHECK (balance <= 9007199254740991)
);

CREATE TABLE auctions (
  id             bigserial PRIMARY KEY,
  seller_id      bigint NOT NULL REFERENCES users (id),
  title          text NOT NULL,
  start_price    bigint NOT NULL CHECK (start_price BETWEEN 1 AND 9007199254740991),
  min_increment  bigint NOT NULL CHECK (min_increment BETWEEN 1 AND 9007199254740991),
  buy_now_price  bigint CHECK (buy_now_price IS NULL OR buy_now_price BETWEEN start_price AND 9007199254740991),
  soft_close_sec integer CHECK (soft_close_sec IS NULL OR soft_close_sec > 0),
  ends_at        timestamptz NOT NULL,
  status         text NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'sold', 'closed', 'unsold', 'cancelled')),
  current_price  bigint CHECK (current_price IS NULL OR current_price BETWEEN 1 AND 9007199254740991),
  leader_id      bigint REFERENCES users (id),
  bid_count      integer NOT NULL DEFAULT 0,
  -- Bumped by every event on the auction under its row lock: gapless, in commit order.
  version        bigint NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  settled_at     timestamptz,
  CONSTRAINT auctions_leader_has_price CHECK ((leader_id IS NULL) = (current_price IS NULL)),
  CONSTRAINT auctions_not_own_leader CHECK (leader_id IS NULL OR leader_id <> seller_id)
);
-- The closer's scan: open auctions by end time.
CREATE INDEX auctions_open_by_end ON auctions (ends_at, id) WHERE status = 'open';
-- Listing by status, soonest ending first, with a keyset cursor.
CREATE INDEX auctions_by_status_end ON auctions (status, ends_at, id);

CREATE TABLE bids (
  id          bigserial PRIMARY KEY,
  auction_id  bigint NOT NULL REFERENCES auctions (id),
  bidder_id   bigint NOT NULL REFERENCES users (id),
  amount      bigint NOT NULL CHECK (amount BETWEEN 1 AND 9007199254740991),
  version     bigint NOT NULL,
  created_at  timestamptz NOT NULL,
  UNIQUE (auction_id, version)
);

-- Every change to a balance or a hold. The audit recomputes users from it.
CREATE TABLE ledger (
  id            bigserial PRIMARY KEY,
  user_id       bigint NOT NULL REFERENCES users (id),
  kind          text NOT NULL CHECK (kind IN ('deposit', 'hold', 'release', 'charge', 'payout')),
  amount        bigint NOT NULL CHECK (amount > 0),
  delta_balance bigint NOT NULL,
  delta_held    bigint NOT NULL,
  auction_id    bigint REFERENCES auctions (id),
  bid_id        bigint REFERENCES bids (id),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_by_user ON ledger (user_id);
CREATE INDEX ledger_by_auction ON ledger (auction_id) WHERE auction_id IS NOT NULL;

-- The outbox: written in the same transaction as the change it describes.
CREATE TABLE events (
  auction_id  bigint NOT NULL,
  version     bigint NOT NULL,
  type        text NOT NULL,
  payload     jsonb NOT NULL,
  -- Who must hear privately (outbid, balances); never sent as is.
  private     jsonb,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (auction_id, version)
);

CREATE TABLE idempotency_keys (
  principal     text NOT NULL,
  key           text NOT NULL,
  request_hash  text NOT NULL,
  -- NULL only inside the transaction that claimed the key.
  status        integer,
  response      jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (principal, key)
);

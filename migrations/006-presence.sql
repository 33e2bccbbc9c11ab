-- Who is watching, across daemons: each daemon's count of distinct watchers
-- (users, or anonymous sockets) per auction it serves, and a heartbeat per
-- daemon. Counts are written only when they change; the heartbeat every second.
-- A count whose daemon has not beaten for a few seconds (it died) is ignored,
-- and removed later by any daemon. Nothing here names a user: rows hold counts.
-- Not money and not events: these rows never take a version or a lock of the
-- bid path.
CREATE TABLE presence_daemons (
  daemon_id text PRIMARY KEY,
  seen_at   timestamptz NOT NULL
);
CREATE TABLE presence (
  daemon_id  text NOT NULL,
  auction_id bigint NOT NULL,
  watching   integer NOT NULL CHECK (watching > 0),
  PRIMARY KEY (daemon_id, auction_id)
);

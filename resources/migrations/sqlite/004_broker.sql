-- Latchkey schema 4 (SQLite): the sign-in broker. Users carry a role and whether they are a guest;
-- every pending step of a broker flow (an authorization request sent upstream, a Latchkey
-- authorization code, a link ticket) is one row here, so any instance can finish a flow
-- that another one started. hash is the SHA-256 (base64url) of the secret the browser or
-- game holds: the table alone gives no flow away. A step is used once: a conditional UPDATE
-- sets consumed_at. session_id: the session a redeemed code opened (revoked when the code is
-- presented again, RFC 6749 §4.1.2). Times are Unix seconds.
ALTER TABLE users ADD COLUMN is_guest INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'player';

CREATE TABLE oauth_pending (
    hash        TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    data        TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    consumed_at BIGINT,
    session_id  BIGINT
);
CREATE INDEX oauth_pending_expires ON oauth_pending (expires_at);

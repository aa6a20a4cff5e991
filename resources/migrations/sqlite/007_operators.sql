-- Latchkey schema 7 (SQLite): what operators need. A user is active or banned (with the reason
-- and the Unix second of the ban); audit_events is the activity log (the events of
-- logs/login.log, and every admin action with the admin's id in actor_id) — user_id has no
-- foreign key, so a deleted user's rows stay with only the id and the event; api_tokens
-- keeps the SHA-256 (base64url) of each "lk_…" token, never the token. at_ms is Unix
-- milliseconds; the other times are Unix seconds.
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE users ADD COLUMN ban_reason TEXT;
ALTER TABLE users ADD COLUMN banned_at BIGINT;

CREATE TABLE audit_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms    BIGINT NOT NULL,
    user_id  BIGINT,
    actor_id BIGINT,
    event    TEXT NOT NULL,
    address  TEXT,
    details  TEXT
);
CREATE INDEX audit_events_user ON audit_events (user_id, at_ms);
CREATE INDEX audit_events_event ON audit_events (event, at_ms);
CREATE INDEX audit_events_at ON audit_events (at_ms);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

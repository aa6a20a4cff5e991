-- Latchkey schema 6 (SQLite): a player's preferences (PUT /api/preferences), one JSON object of at
-- most 16 KiB per user, gone with the user. updated_at is Unix seconds.
CREATE TABLE preferences (
    user_id    BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    data       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

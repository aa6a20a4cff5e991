-- Latchkey schema 5: the device authorization grant (RFC 8628) for consoles, TVs and command
-- lines. One row per device code, so any instance answers a poll: hash is the SHA-256
-- (base64url) of the device_code the device holds; user_code is what the player types (8 of
-- BCDFGHJKLMNPQRSTVWXZ, stored without the dash). status: pending, then approved (user_id
-- set) or denied, then done once the tokens went out. interval_secs grows by 5 with every
-- slow_down; last_poll_ms is when the device last asked. Rows go an hour past expires_at
-- (Unix seconds).
CREATE TABLE device_codes (
    hash          TEXT PRIMARY KEY,
    user_code     TEXT NOT NULL UNIQUE,
    client_id     TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending',
    user_id       BIGINT,
    interval_secs INTEGER NOT NULL,
    last_poll_ms  BIGINT,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX device_codes_expires ON device_codes (expires_at);

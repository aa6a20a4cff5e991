-- What a straightforward server does per refresh: a table of refresh tokens, the presented
-- one revoked and a new one (its SHA-256) inserted, in one transaction. Bench-only table
-- refresh_tokens, seeded with one live row per ceiling session (see bench/run.sh).
\set k random(0, :n - 1)
\set sid :sbase + :k
BEGIN;
UPDATE refresh_tokens SET revoked_at = now() WHERE session_id = :sid AND revoked_at IS NULL;
INSERT INTO refresh_tokens (session_id, token_hash, parent_id, expires_at) VALUES (:sid, sha256(uuid_send(gen_random_uuid())), NULL, now() + interval '30 days');
END;

-- Ceiling for a first login: UserStore::loginOrCreate for a user not seen before, then
-- SessionStore::create (insert + trim to max_sessions_per_user), with values unique per
-- transaction. -D now, exp, maxs (max_sessions_per_user).
\set r random(1, 1000000000000)
\set u :r * 1000 + :client_id
SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login FROM identities i JOIN users u ON u.id = i.user_id WHERE i.provider = 'google' AND i.subject = 'pgb' || :u;
BEGIN;
INSERT INTO users (email, name, name_key, picture, created_at, last_login) VALUES ('pgb' || :u || '@bench.example', 'pgb' || :u, 'pgb' || :u, NULL, now(), now()) ON CONFLICT (name_key) DO NOTHING RETURNING id AS newid \gset
INSERT INTO identities (provider, subject, user_id, email, created_at) VALUES ('google', 'pgb' || :u, :newid, 'pgb' || :u || '@bench.example', now()) ON CONFLICT (provider, subject) DO NOTHING;
COMMIT;
BEGIN;
INSERT INTO sessions (user_id, counter, created_at, refreshed_at, expires_at, client_ip, user_agent) VALUES (:newid, 0, :now, :now, :exp, '127.0.0.1', 'pgbench') RETURNING id;
UPDATE sessions SET revoked_at = :now, revoke_reason = 'session_limit' WHERE user_id = :newid AND revoked_at IS NULL AND id NOT IN (SELECT id FROM sessions WHERE user_id = :newid AND revoked_at IS NULL ORDER BY id DESC LIMIT :maxs);
COMMIT;

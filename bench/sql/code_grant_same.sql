-- Ceiling for bench/lua/code_grant.lua: one guest sign-in through the broker is one pgbench
-- transaction script (and two server requests). GET /oauth/authorize?provider=guest:
-- the guest limit's count (SignInService::guestUser, one row per address and minute: every
-- bench connection is 127.0.0.1, key 7f000001), UserStore::loginOrCreate for a new guest, the code stored
-- (FlowStore::put). POST /oauth/token: the code used (FlowStore::take), the user read,
-- SessionStore::create (insert + trim), the code tied to its session (FlowStore::setSession).
-- -D now, exp, maxs. Keep this in step with server/db/statements.h.
\set r random(1, 1000000000000)
\set u :r * 1000 + :client_id
\set win (:now / 60) * 60000
INSERT INTO auth_failures (client_key, window_start, failures) VALUES ('guest/7f000001', :win, 1) ON CONFLICT (client_key, window_start) DO UPDATE SET failures = auth_failures.failures + 1 RETURNING failures;
SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login, u.is_guest, u.role FROM identities i JOIN users u ON u.id = i.user_id WHERE i.provider = 'guest' AND i.subject = 'pgg' || :u;
BEGIN;
INSERT INTO users (email, name, name_key, name_skeleton, picture, created_at, last_login, is_guest) VALUES ('', 'guest-' || :u, 'guest-' || :u, 'guest-' || :u, NULL, now(), now(), true) ON CONFLICT DO NOTHING RETURNING id AS newid \gset
INSERT INTO identities (provider, subject, user_id, email, created_at) VALUES ('guest', 'pgg' || :u, :newid, '', now()) ON CONFLICT (provider, subject) DO NOTHING;
COMMIT;
INSERT INTO oauth_pending (hash, kind, data, expires_at) VALUES ('pgc' || :u, 'code', '{"client_id":"latchkey-demo","code_challenge":"0123456789012345678901234567890123456789012","redirect_uri":"http://127.0.0.1:5555/callback","user_id":' || :newid || '}', :now + 60);
UPDATE oauth_pending SET consumed_at = :now WHERE hash = 'pgc' || :u AND kind = 'code' AND consumed_at IS NULL AND expires_at > :now RETURNING data;
SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login, u.is_guest, u.role FROM users u WHERE u.id = :newid;
BEGIN;
INSERT INTO sessions (user_id, counter, created_at, refreshed_at, expires_at, client_ip, user_agent) VALUES (:newid, 0, :now, :now, :exp, '127.0.0.1', 'pgbench') RETURNING id AS sid \gset
UPDATE sessions SET revoked_at = :now, revoke_reason = 'session_limit' WHERE user_id = :newid AND revoked_at IS NULL AND id NOT IN (SELECT id FROM sessions WHERE user_id = :newid AND revoked_at IS NULL ORDER BY id DESC LIMIT :maxs);
COMMIT;
UPDATE oauth_pending SET session_id = :sid WHERE hash = 'pgc' || :u;

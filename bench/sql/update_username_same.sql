-- Ceiling for /api/update_username: the Bearer check (byLiveSession), then
-- UserStore::rename (UPDATE, then byId). Names unique per transaction.
\set k random(0, :n - 1)
\set sid :sbase + :k
\set uid :ubase + :k
\set r random(1, 1000000000000)
\set u :r * 1000 + :client_id
SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = :sid AND s.user_id = :uid AND s.revoked_at IS NULL AND s.expires_at > :now;
UPDATE users SET name = 'v' || :u, name_key = 'v' || :u WHERE id = :uid;
SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login FROM users u WHERE u.id = :uid;
